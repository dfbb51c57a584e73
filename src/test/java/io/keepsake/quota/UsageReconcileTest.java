package io.keepsake.quota;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static io.keepsake.testing.Api.newSnapshot;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoCollection;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A user's usage is counted again from their sessions and snapshots once it changed and went
 * quiet: a reservation whose insert never happened (the instance stopped in between) and a delete
 * whose release was lost leave the count wrong until then, and right after.
 */
@QuarkusTest
class UsageReconcileTest {

    private static final String USER = "reconciled";

    @Inject
    UsageReconciler reconciler;

    @Inject
    Quotas quotas;

    private static MongoCollection<Document> usage() {
        return EmbeddedStoreResource.database().getCollection("usage");
    }

    @Test
    void aLostReservationAndALostReleaseAreMadeGoodByTheReconciliation() {
        newSession(USER, "kept", Map.of("text", "x".repeat(100)));
        String gone = newSession(USER, "gone", Map.of("text", "y".repeat(300)));
        newSnapshot(USER, "frozen", Map.of("text", "z".repeat(50)));
        await().atMost(Duration.ofSeconds(10)).until(() -> !quotas.unsaved(USER));
        Document right = usage().find(Filters.eq("_id", USER)).first();

        // A reservation whose insert never came (+1 session, 5,000 bytes), and a session whose
        // delete stored its tombstone but whose release was lost: gone from the store, still counted.
        Instant aWhileAgo = Instant.now().minus(Duration.ofMinutes(5));
        usage().updateOne(Filters.eq("_id", USER), Updates.combine(Updates.inc("sessions", 1L), Updates.inc("bytes", 5000L),
                Updates.set("changedAt", Date.from(aWhileAgo))));
        EmbeddedStoreResource.database().getCollection("sessions").deleteOne(Filters.eq("_id", gone));
        Document wrong = usage().find(Filters.eq("_id", USER)).first();
        assertEquals(number(right, "sessions") + 1, number(wrong, "sessions"));

        // Others' usage that changed and went quiet is counted too; this test looks at its own user's.
        reconciler.reconcile(Instant.now().minus(Duration.ofMinutes(1))).await().atMost(Duration.ofSeconds(30));

        Document counted = usage().find(Filters.eq("_id", USER)).first();
        assertEquals(1L, number(counted, "sessions"), "the session kept");
        assertEquals(1L, number(counted, "snapshots"));
        assertEquals(keptBytes(), number(counted, "bytes"));
        assertEquals(null, counted.get("changedAt"), "counted: nothing waits any more");
        // The service goes on from the right count.
        as(USER).get("/sessions").then().statusCode(200);
    }

    /** The canonical bytes of what the user still holds: the kept session and the snapshot. */
    private static long keptBytes() {
        long bytes = 0;
        for (String collection : new String[] {"sessions", "snapshots"}) {
            for (Document doc : EmbeddedStoreResource.database().getCollection(collection)
                    .find(Filters.and(Filters.eq("ownerId", USER), Filters.ne("deleted", true)))) {
                bytes += ((Number) doc.get("contentSize")).longValue();
            }
        }
        return bytes;
    }

    private static long number(Document doc, String field) {
        return ((Number) doc.get(field)).longValue();
    }
}
