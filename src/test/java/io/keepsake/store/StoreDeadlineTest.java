package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.MongoCommandException;

import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/** How long a store command, a query and an HTTP request's commands together may wait for the store. */
class StoreDeadlineTest {

    /** Long enough that a timer late by a few hundred milliseconds on a loaded machine changes no outcome. */
    private static final Duration DEADLINE = Duration.ofMillis(1000);
    private static final Duration WAIT = Duration.ofSeconds(10);

    @BeforeEach
    void deadline() {
        StoreDeadline.length(DEADLINE);
    }

    @AfterEach
    void noDeadline() {
        StoreDeadline.length(Duration.ofDays(1));
        Throttled.within(Duration.ZERO);
    }

    /** A command that answers after {@code millis}. */
    private static Uni<String> answering(long millis) {
        return Uni.createFrom().item("done").onItem().delayIt().by(Duration.ofMillis(millis));
    }

    private static long millisSince(long started) {
        return (System.nanoTime() - started) / 1_000_000;
    }

    @Test
    void aCommandThatDoesNotAnswerInTimeFailsAsUnavailableAndIsNotSentAgain() {
        AtomicInteger sent = new AtomicInteger();
        Uni<String> silent = Uni.createFrom().deferred(() -> {
            sent.incrementAndGet();
            return Uni.createFrom().nothing();
        });
        long started = System.nanoTime();
        RuntimeException error = assertThrows(StoreDeadline.Exceeded.class,
                () -> silent.plug(Throttled::retry).await().atMost(WAIT));
        long took = millisSince(started);
        assertTrue(took >= 950 && took < 3000, "gave up after " + took + " ms");
        assertTrue(StoreErrors.isUnavailable(error));
        assertEquals(1, sent.get());
        assertEquals("done", answering(600).plug(Throttled::retry).await().atMost(WAIT), "one in time is answered");
    }

    @Test
    void throttlingRetriesStopAtTheDeadline() {
        Throttled.within(Duration.ofSeconds(10));
        MongoCommandException throttled = ThrottledTest.failed(16500, "Error=16500, RetryAfterMs=100");
        AtomicInteger sent = new AtomicInteger();
        long started = System.nanoTime();
        RuntimeException error = assertThrows(RuntimeException.class, () -> Uni.createFrom().<String>deferred(() -> {
            sent.incrementAndGet();
            return Uni.createFrom().failure(throttled);
        }).plug(Throttled::retry).await().atMost(WAIT));
        long took = millisSince(started);
        assertTrue(took < 3000, "gave up after " + took + " ms, not after throttle-retry-within");
        assertTrue(StoreErrors.isUnavailable(error), error.toString());
        assertTrue(sent.get() >= 2, "sent " + sent.get() + " times");
    }

    @Test
    void aQueryMustStartAndGoOnInTimeButIsNotCutWhileItDelivers() {
        assertThrows(StoreDeadline.Exceeded.class, () -> Multi.createFrom().<Integer>nothing().plug(Throttled::retry)
                .collect().asList().await().atMost(WAIT));
        // Six documents 400 ms apart: 2.4 s in all, more than the deadline.
        List<Long> delivered = Multi.createFrom().ticks().every(Duration.ofMillis(400)).select().first(6)
                .plug(Throttled::retry).collect().asList().await().atMost(WAIT);
        assertEquals(6, delivered.size());
        Multi<Integer> stalling = Multi.createBy().concatenating().streams(Multi.createFrom().items(1, 2),
                Multi.createFrom().nothing());
        assertThrows(StoreDeadline.Exceeded.class,
                () -> stalling.plug(Throttled::retry).collect().asList().await().atMost(WAIT));
    }

    @Test
    void aQueryIsNotFailedByItsSlowConsumer() {
        List<Integer> handled = Multi.createFrom().items(1, 2, 3).plug(Throttled::retry)
                .onItem().transformToUniAndConcatenate(n -> Uni.createFrom().item(n).onItem().delayIt()
                        .by(Duration.ofMillis(1400)))
                .collect().asList().await().atMost(WAIT);
        assertEquals(List.of(1, 2, 3), handled);
    }

    @Test
    void aRequestsCommandsShareItsDeadlineAndOnlyWaitingForTheStoreCounts() throws Exception {
        Vertx vertx = Vertx.vertx();
        try {
            Context request = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
            CompletableFuture<Long> secondFailedAfter = new CompletableFuture<>();
            request.runOnContext(ignored -> {
                Runnable end = StoreDeadline.startRequest();
                // 600 ms waiting for the store, 800 ms of other work (not counted), then 400 ms are left.
                answering(600).plug(Throttled::retry)
                        .onItem().delayIt().by(Duration.ofMillis(800))
                        .emitOn(task -> request.runOnContext(again -> task.run()))
                        .onItem().transformToUni(first -> {
                            long started = System.nanoTime();
                            return answering(2000).plug(Throttled::retry)
                                    .onFailure().invoke(error -> secondFailedAfter.complete(millisSince(started)));
                        })
                        .subscribe().with(answer -> secondFailedAfter.completeExceptionally(new AssertionError(answer)),
                                error -> end.run());
            });
            long after = secondFailedAfter.get(WAIT.toMillis(), TimeUnit.MILLISECONDS);
            // Not at once (the other work did not count), nor after a deadline of its own.
            assertTrue(after >= 200 && after < 900, "the second command gave up after " + after + " ms");

            // Outside a request, each command has a deadline of its own.
            CompletableFuture<String> alone = new CompletableFuture<>();
            VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext()).runOnContext(ignored -> answering(600)
                    .plug(Throttled::retry).chain(first -> answering(600).plug(Throttled::retry))
                    .subscribe().with(alone::complete, alone::completeExceptionally));
            assertEquals("done", alone.get(WAIT.toMillis(), TimeUnit.MILLISECONDS));
        } catch (ExecutionException e) {
            throw new AssertionError(e.getCause());
        } finally {
            vertx.close().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
    }
}
