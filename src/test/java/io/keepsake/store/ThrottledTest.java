package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import org.bson.BsonDocument;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.MongoCommandException;
import com.mongodb.ServerAddress;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** What is sent again when Cosmos DB throttles, how soon, and for how long. */
class ThrottledTest {

    private static final Duration WAIT = Duration.ofSeconds(10);
    /** Cosmos DB's words (abridged), with the delay it asks for. */
    private static final String THROTTLED = "Error=16500, RetryAfterMs=120, Details='Response status code does not indicate "
            + "success: TooManyRequests (429); Substatus: 3200; Reason: (Request rate is large. More Request Units may be "
            + "needed, so no changes were made. Please retry this request later.)'";

    @BeforeEach
    void budget() {
        Throttled.within(Duration.ofSeconds(1));
    }

    @AfterEach
    void noBudget() {
        Throttled.within(Duration.ZERO);
    }

    /** A command error as the driver reports it. */
    static MongoCommandException failed(int code, String message) {
        return new MongoCommandException(new BsonDocument("ok", new BsonInt32(0)).append("code", new BsonInt32(code))
                .append("errmsg", new BsonString(message)), new ServerAddress());
    }

    private static MongoBulkWriteException bulk(int... codes) {
        List<BulkWriteError> errors = new ArrayList<>();
        for (int i = 0; i < codes.length; i++) {
            errors.add(new BulkWriteError(codes[i], THROTTLED, new BsonDocument(), i));
        }
        return new MongoBulkWriteException(BulkWriteResult.acknowledged(0, 0, 0, 0, List.of(), List.of()), errors, null,
                new ServerAddress(), Set.of());
    }

    /** A command that fails with each of {@code failures} in turn, then answers "done"; counts how often it was sent. */
    private static Uni<String> command(AtomicInteger sent, RuntimeException... failures) {
        return Uni.createFrom().deferred(() -> {
            int n = sent.getAndIncrement();
            return n < failures.length ? Uni.createFrom().failure(failures[n]) : Uni.createFrom().item("done");
        });
    }

    @Test
    void aThrottledCommandIsSentAgainAfterTheDelayTheStoreAsksFor() {
        AtomicInteger sent = new AtomicInteger();
        long started = System.nanoTime();
        String answer = command(sent, failed(16500, THROTTLED), failed(16500, THROTTLED)).plug(Throttled::retry)
                .await().atMost(WAIT);
        assertEquals("done", answer);
        assertEquals(3, sent.get());
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(240).toNanos(), "waited RetryAfterMs=120 twice");
    }

    @Test
    void aCommandStillThrottledWhenTheBudgetEndsFailsWithTheStoresError() {
        MongoCommandException throttled = failed(16500, THROTTLED);
        AtomicInteger sent = new AtomicInteger();
        long started = System.nanoTime();
        RuntimeException error = assertThrows(RuntimeException.class, () -> Uni.createFrom().<String>deferred(() -> {
            sent.incrementAndGet();
            return Uni.createFrom().failure(throttled);
        }).plug(Throttled::retry).await().atMost(WAIT));
        assertSame(throttled, error);
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertTrue(took.compareTo(Duration.ofSeconds(1)) <= 0, "gave up within the budget: " + took);
        assertTrue(sent.get() >= 4, "sent " + sent.get() + " times");
    }

    @Test
    void otherFailuresAreNotSentAgain() {
        AtomicInteger sent = new AtomicInteger();
        assertThrows(MongoCommandException.class, () -> command(sent, failed(13, "not authorized")).plug(Throttled::retry)
                .await().atMost(WAIT));
        assertEquals(1, sent.get());
    }

    @Test
    void aQueryIsSentAgainBeforeItsFirstDocumentNeverMidStream() {
        AtomicInteger sent = new AtomicInteger();
        Multi<Integer> throttledAtOnce = Multi.createFrom().deferred(() -> sent.getAndIncrement() == 0
                ? Multi.createFrom().failure(failed(16500, THROTTLED)) : Multi.createFrom().items(1, 2));
        assertEquals(List.of(1, 2), throttledAtOnce.plug(Throttled::retry).collect().asList().await().atMost(WAIT));
        assertEquals(2, sent.get());

        AtomicInteger again = new AtomicInteger();
        Multi<Integer> throttledMidStream = Multi.createFrom().deferred(() -> {
            again.incrementAndGet();
            return Multi.createFrom().items(1).onCompletion().failWith(failed(16500, THROTTLED));
        });
        assertThrows(MongoCommandException.class, () -> throttledMidStream.plug(Throttled::retry).collect().asList()
                .await().atMost(WAIT));
        assertEquals(1, again.get());
    }

    @Test
    void aBulkWriteIsThrottledOnlyWhenEveryStatementThatFailedWas() {
        assertTrue(StoreErrors.isThrottled(bulk(16500, 16500)));
        assertFalse(StoreErrors.isThrottled(bulk(16500, 11000)), "a duplicate key is the caller's to handle");
        assertTrue(StoreErrors.isUnavailable(failed(16500, THROTTLED)));
    }

    @Test
    void theDelayIsReadFromTheStoresMessage() {
        assertEquals(Optional.of(Duration.ofMillis(120)), StoreErrors.retryAfter(failed(16500, THROTTLED)));
        assertEquals(Optional.of(Duration.ofMillis(120)), StoreErrors.retryAfter(bulk(16500)));
        assertEquals(Optional.empty(), StoreErrors.retryAfter(failed(16500, "Request rate is large")));
        assertEquals(Optional.empty(), StoreErrors.retryAfter(failed(50, "RetryAfterMs=120")));
    }
}
