package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.keepsake.testing.StoreCommands;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.test.junit.QuarkusTest;

/** A planned sweep reads the store only when something in its collection can have expired. */
@QuarkusTest
class SweepPlanTest {

    private static final Duration WAIT = Duration.ofSeconds(10);

    @Inject
    ReactiveMongoClient client;

    @Inject
    StoreCommands commands;

    private ReactiveMongoCollection<Document> collection(Document... records) {
        ReactiveMongoCollection<Document> collection = client.getDatabase("keepsake")
                .getCollection("sweep_plan_" + Ids.next());
        if (records.length > 0) {
            collection.insertMany(List.of(records)).await().atMost(WAIT);
        }
        return collection;
    }

    private static long sweep(SweepPlan plan, Instant now) {
        return plan.sweep(Filters.lt("expiresAt", now), now).await().atMost(WAIT);
    }

    /** The statements sent to the collection since recording began. */
    private long sentTo(ReactiveMongoCollection<Document> collection) {
        String name = collection.getNamespace().getCollectionName();
        return commands.recorded().stream().filter(s -> s.collection().equals(name)).count();
    }

    @Test
    void afterASweepNothingIsReadUntilTheEarliestExpiryLeft() {
        Instant now = Time.now();
        ReactiveMongoCollection<Document> collection = collection(
                new Document("_id", "gone").append("expiresAt", now.minusSeconds(60)),
                new Document("_id", "kept").append("expiresAt", now.plus(Duration.ofHours(1))));
        SweepPlan plan = new SweepPlan(collection, "expiresAt");
        assertTrue(plan.due(now), "before its first sweep a plan knows nothing");
        assertEquals(1, sweep(plan, now));

        commands.start();
        assertFalse(plan.due(now.plusSeconds(60)));
        assertEquals(0, sweep(plan, now.plusSeconds(60)));
        assertEquals(0, sentTo(collection), "a sweep with nothing to find reads nothing");
        assertTrue(plan.due(now.plus(Duration.ofHours(1))), "due when the record left expires");
        assertEquals(1, sweep(plan, now.plus(Duration.ofHours(1)).plusMillis(1)));
        assertTrue(sentTo(collection) > 0);
        commands.stop();
    }

    @Test
    void aSweepThatLeftNothingWaitsForAWriteOrADay() {
        Instant now = Time.now();
        ReactiveMongoCollection<Document> collection = collection();
        SweepPlan plan = new SweepPlan(collection, "expiresAt");
        assertEquals(0, sweep(plan, now));
        assertFalse(plan.due(now.plus(Duration.ofHours(12))), "nothing left, nothing written");

        plan.wrote(now.plusSeconds(60));
        assertFalse(plan.due(now.plusSeconds(59)));
        assertTrue(plan.due(now.plusSeconds(60)), "a record written here is swept when it expires");

        SweepPlan quiet = new SweepPlan(collection, "expiresAt");
        assertEquals(0, sweep(quiet, now));
        assertTrue(quiet.due(now.plus(SweepPlan.AT_LEAST_EVERY)), "what another instance wrote is swept within a day");
    }
}
