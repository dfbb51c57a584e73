package io.keepsake.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.mongodb.MongoSocketException;
import com.mongodb.ServerAddress;

import io.quarkus.test.junit.QuarkusTest;
import io.smallrye.mutiny.Uni;

/** What a retry finds after an attempt that failed part-way. */
@QuarkusTest
class IdempotencyTest {

    @Inject
    Idempotency idempotency;

    @Test
    void aRetryAfterAFailedAttemptRunsAtOnceWithTheSameResourceId() {
        String key = UUID.randomUUID().toString();
        List<String> ids = new ArrayList<>();
        Uni<StoredResponse> failing = idempotency.run("erin", "POST /things", key, Keyed.<StoredResponse>create("fp", id -> {
            ids.add(id);
            return Uni.createFrom().failure(new MongoSocketException("connection lost", new ServerAddress()));
        }), response -> response);
        assertThrows(MongoSocketException.class, () -> failing.await().atMost(Duration.ofSeconds(5)));

        StoredResponse retried = idempotency.run("erin", "POST /things", key, Keyed.create("fp", id -> {
            ids.add(id);
            return Uni.createFrom().item(new StoredResponse(201, "/things/" + id, "\"1\"", "{}"));
        }), response -> response).await().atMost(Duration.ofSeconds(5));

        assertEquals(2, ids.size());
        assertEquals(ids.get(0), ids.get(1), "the retry must look for what the first attempt may have written");
        assertEquals("/things/" + ids.get(0), retried.location());

        StoredResponse replayed = idempotency.run("erin", "POST /things", key, Keyed.<StoredResponse>create("fp",
                id -> Uni.createFrom().failure(new AssertionError("a completed key never runs again"))), response -> response)
                .await().atMost(Duration.ofSeconds(5));
        assertEquals(retried, replayed);
    }
}
