package io.keepsake.web;

import java.time.Duration;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

import jakarta.enterprise.context.ApplicationScoped;

import io.keepsake.KeepsakeConfig;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * CPU and memory heavy work on request bodies (parsing, canonicalising, hashing): small bodies
 * inline on the event loop; large ones on a worker thread, only a few at a time, since a large
 * body's parse tree can take many times its size in memory. A large body that finds no turn within
 * {@code large-parse-wait} gets 503 with Retry-After, so that a flood of them cannot exhaust the heap
 * and small requests keep being answered.
 */
@ApplicationScoped
public class BodyWork {

    private final int largeBytes;
    private final Duration wait;
    private final Semaphore turns;
    private final Queue<CompletableFuture<Void>> waiting = new ConcurrentLinkedQueue<>();

    public BodyWork(KeepsakeConfig config) {
        this.largeBytes = config.limits().largeBodyBytes();
        this.wait = config.limits().largeParseWait();
        this.turns = new Semaphore(Math.max(1, config.limits().largeParses()));
    }

    /** Runs {@code work} on a body of {@code size} bytes (inline when small). */
    public <T> Uni<T> run(int size, Supplier<T> work) {
        Uni<T> uni = Uni.createFrom().item(work);
        if (size <= largeBytes) {
            return uni;
        }
        return turn().onItem().transformToUni(ignored -> uni.runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
                .eventually(this::release));
    }

    private Uni<Void> turn() {
        if (turns.tryAcquire()) {
            return Uni.createFrom().voidItem();
        }
        CompletableFuture<Void> turn = new CompletableFuture<>();
        waiting.add(turn);
        if (turns.tryAcquire()) {
            // A turn came free between the two looks: hand it over to the oldest waiter, which may be this one.
            release();
        }
        CompletableFuture.delayedExecutor(wait.toMillis(), TimeUnit.MILLISECONDS)
                .execute(() -> turn.completeExceptionally(new TimeoutException()));
        return Uni.createFrom().completionStage(turn)
                .onFailure(TimeoutException.class).transform(timedOut -> {
                    waiting.remove(turn);
                    return ApiProblem.unavailable("Too many large bodies are being processed; retry shortly",
                            Duration.ofSeconds(1)).with("limit", "keepsake.limits.large-parses");
                });
    }

    /** Gives the turn to the oldest waiter still waiting, or back to the pool. */
    private void release() {
        for (CompletableFuture<Void> next = waiting.poll(); next != null; next = waiting.poll()) {
            if (next.complete(null)) {
                return;
            }
        }
        turns.release();
    }
}
