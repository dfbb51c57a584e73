package io.keepsake.store;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

import jakarta.annotation.Priority;
import jakarta.enterprise.event.Observes;
import jakarta.interceptor.Interceptor;

import io.keepsake.KeepsakeConfig;
import io.quarkus.logging.Log;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Sends a store command again when Cosmos DB throttled it: Cosmos DB for MongoDB refuses a command
 * that would pass the request units provisioned with error 16500 and asks for a retry later
 * ("Error=16500, RetryAfterMs=100, Details='... Request rate is large. More Request Units may be
 * needed, so no changes were made. Please retry this request later ..."). A throttled command was
 * not applied, so sending it again is safe for writes too; of a bulk write only the throttled
 * statements were not, so one goes through here only if its statements may be applied twice.
 * Sources: https://learn.microsoft.com/en-us/azure/cosmos-db/mongodb/error-codes-solutions (16500,
 * "retry the operation"), https://learn.microsoft.com/en-us/azure/cosmos-db/nosql/troubleshoot-request-rate-too-large
 * ("so no changes were made"), https://github.com/MicrosoftDocs/azure-docs/issues/69351 (bulk writes).
 * <p>
 * Each retry waits the longer of RetryAfterMs and an exponential backoff from 50 ms with jitter,
 * while {@code keepsake.store.throttle-retry-within} lasts: counted from the first throttled
 * command of an HTTP request for all of that request's commands, else from the command's own; and
 * never past the command's {@link StoreDeadline}, which bounds every command sent through here.
 * Past it the failure goes on (an HTTP request gets 503 with Retry-After).
 * Use as {@code command.plug(Throttled::retry)}, on the Uni (or query) that sends one command.
 */
public final class Throttled {

    private static final long FIRST_BACKOFF = Duration.ofMillis(50).toNanos();
    private static final long LONGEST_BACKOFF = Duration.ofSeconds(1).toNanos();
    /** keepsake.store.throttle-retry-within, once started (no retries before). */
    private static volatile Duration within = Duration.ZERO;

    private Throttled() {
    }

    /** The command, sent again while Cosmos DB throttles it and the budget lasts, within its deadline. */
    public static <T> Uni<T> retry(Uni<T> command) {
        return StoreDeadline.one((deadline, by) -> attempt(command, new Attempts(deadline, by)));
    }

    /** A query, sent again while Cosmos DB throttles it before its first document (never mid-stream), within its deadline. */
    public static <T> Multi<T> retry(Multi<T> query) {
        return StoreDeadline.stream((deadline, by) -> attempt(query, new Attempts(deadline, by)));
    }

    private static <T> Uni<T> attempt(Uni<T> command, Attempts attempts) {
        return command.onFailure(StoreErrors::isThrottled)
                .recoverWithUni(throttled -> attempts.pause(throttled).onItem().transformToUni(again -> attempt(command, attempts)));
    }

    private static <T> Multi<T> attempt(Multi<T> query, Attempts attempts) {
        AtomicBoolean started = new AtomicBoolean();
        return query.onItem().invoke(() -> started.set(true))
                .onFailure(error -> !started.get() && StoreErrors.isThrottled(error))
                .recoverWithMulti(throttled -> attempts.pause(throttled).onItem().transformToMulti(again -> attempt(query, attempts)));
    }

    /** The retries of one subscription to a command, one after another. */
    private static final class Attempts {
        private final StoreDeadline deadline;
        /** When the command must have answered. */
        private final long by;
        private int made;
        private long until;

        Attempts(StoreDeadline deadline, long by) {
            this.deadline = deadline;
            this.by = by;
        }

        /** Completes when the command may be sent again; fails with {@code throttled} once the budget is spent. */
        Uni<Void> pause(Throwable throttled) {
            long now = System.nanoTime();
            if (made++ == 0) {
                until = deadline.retryUntil(within.toNanos(), by);
            }
            long backoff = Math.min(LONGEST_BACKOFF, FIRST_BACKOFF << Math.min(made - 1, 10));
            long wait = Math.max(backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1),
                    StoreErrors.retryAfter(throttled).map(Duration::toNanos).orElse(0L));
            if (now + wait - until > 0) {
                Log.debugf("Store command throttled %d times; giving up", made);
                return Uni.createFrom().failure(throttled);
            }
            Log.debugf("Store command throttled; sending it again in %d ms", wait / 1_000_000);
            return Uni.createFrom().voidItem().onItem().delayIt().by(Duration.ofMillis(Math.max(1, wait / 1_000_000)));
        }
    }

    /** Sets the budget (tests; at start-up from the configuration). */
    static void within(Duration budget) {
        within = budget;
    }

    /** Takes the budget and the deadline from the configuration before anything sends a command. */
    static final class Budget {
        void configure(@Observes @Priority(Interceptor.Priority.PLATFORM_BEFORE) StartupEvent event, KeepsakeConfig config) {
            within(config.store().throttleRetryWithin());
            StoreDeadline.length(config.store().requestDeadline());
        }
    }
}
