package io.keepsake.store;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

import com.mongodb.MongoTimeoutException;

import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;

/**
 * How long store commands may keep their callers waiting: {@code keepsake.store.request-deadline}
 * of waiting for the store, shared by all the store commands of an HTTP request (see
 * {@link #startRequest}), else for each command alone (background work, WebSocket messages). Only
 * time while a command of the request is out counts (commands out together count once): receiving
 * its body, a long poll's wait for a notice and its own work do not, so they are not cut short by
 * it; they have bounds of their own. A command still unanswered when the time is up fails with
 * {@link Exceeded}, which {@link StoreErrors#isUnavailable} recognises (an HTTP request gets 503 with
 * Retry-After), and is not sent again; what it asked of the store may still be done. A query handed
 * on as it streams is given the time left for its first document and the whole deadline for each
 * later one, counted only while one is asked for: a query that is delivering is never cut.
 * A request's budget for sending again what Cosmos DB throttled ({@link Throttled}) is kept here too.
 */
public final class StoreDeadline {

    /** The key of a request's deadline in its Vert.x context. */
    private static final String KEY = StoreDeadline.class.getName();
    private static final long UNSET = Long.MIN_VALUE;
    /** keepsake.store.request-deadline, once started (a day before: the pieces' tests). */
    private static volatile long length = TimeUnit.DAYS.toNanos(1);

    private final long budget;
    /** Time spent waiting for the store up to the last moment nothing was out. */
    private long spent;
    private int out;
    /** When the commands out now began to be waited for. */
    private long since;
    /** Until when throttled commands may be sent again; unset until the first is throttled. */
    private long retryUntil = UNSET;

    private StoreDeadline(long budget) {
        this.budget = budget;
    }

    /**
     * Makes the store commands sent on the current Vert.x context (an HTTP request's) share one
     * deadline and one throttling budget, until the returned action ends them.
     */
    public static Runnable startRequest() {
        Context context = Vertx.currentContext();
        if (context == null || !VertxContext.isDuplicatedContext(context)) {
            return () -> { };
        }
        context.putLocal(KEY, new StoreDeadline(length));
        return () -> context.removeLocal(KEY);
    }

    /** A command that must not be sent again however it fails ({@link Throttled} for one that may), within its deadline. */
    public static <T> Uni<T> bound(Uni<T> command) {
        return one((deadline, by) -> command);
    }

    /** What a command is given as it is sent: its deadline, and the {@link System#nanoTime} by which it must answer. */
    @FunctionalInterface
    interface Command<R> {
        R send(StoreDeadline deadline, long by);
    }

    /** One command, which fails with {@link Exceeded} if it has not answered by its deadline. */
    static <T> Uni<T> one(Command<Uni<T>> command) {
        return Uni.createFrom().deferred(() -> {
            StoreDeadline deadline = current();
            long by = deadline.begin();
            // In whole milliseconds: timers refuse less than one (and a command left less has none).
            long left = (by - System.nanoTime()) / 1_000_000;
            Uni<T> sent = left < 1 ? Uni.createFrom().failure(deadline.exceeded())
                    : command.send(deadline, by).ifNoItem().after(Duration.ofMillis(left)).failWith(deadline::exceeded);
            return sent.onTermination().invoke(deadline::end);
        });
    }

    /** A query handed on as it streams, which fails with {@link Exceeded} if a document asked for is late. */
    static <T> Multi<T> stream(Command<Multi<T>> query) {
        return Multi.createFrom().deferred(() -> {
            StoreDeadline deadline = current();
            long by = deadline.begin();
            return AwaitedItems.of(query.send(deadline, by), by - System.nanoTime(), length, deadline::exceeded)
                    .onTermination().invoke(deadline::end);
        });
    }

    /** The current HTTP request's deadline, or a deadline of its own for a command outside one. */
    /**
     * From now on each store command of the current request waits for the store within a deadline
     * of its own: for a response streamed from many pages of the store (an export), whose length
     * grows with what it holds, where one budget for all its commands would cut it short.
     */
    public static void eachCommandAlone() {
        Context context = Vertx.currentContext();
        if (context != null && VertxContext.isDuplicatedContext(context)) {
            context.removeLocal(KEY);
        }
    }

    private static StoreDeadline current() {
        Context context = Vertx.currentContext();
        StoreDeadline request = context != null && VertxContext.isDuplicatedContext(context)
                ? context.getLocal(KEY) : null;
        return request != null ? request : new StoreDeadline(length);
    }

    /** A command is sent: the moment by which it must answer. */
    private synchronized long begin() {
        if (out++ == 0) {
            since = System.nanoTime();
        }
        return since + budget - spent;
    }

    /** A command answered, failed or was given up. */
    private synchronized void end() {
        if (--out == 0) {
            spent += System.nanoTime() - since;
        }
    }

    /**
     * Until when a throttled command may be sent again: {@code within} of the first throttled command
     * of the request (or of this command, outside a request), and never past {@code by}.
     */
    synchronized long retryUntil(long within, long by) {
        if (retryUntil == UNSET) {
            retryUntil = System.nanoTime() + within;
        }
        return retryUntil - by < 0 ? retryUntil : by;
    }

    private Exceeded exceeded() {
        return new Exceeded(Duration.ofNanos(budget));
    }

    /** Sets the deadline (at start-up from the configuration). */
    static void length(Duration deadline) {
        length = deadline.toNanos();
    }

    /**
     * A store command that did not answer within its deadline: the store is taken to be unavailable
     * for now. What the command asked may still be done: a write may or may not have been applied.
     */
    public static final class Exceeded extends MongoTimeoutException {

        Exceeded(Duration deadline) {
            super("No answer from the store within the deadline of " + deadline.toMillis()
                    + " ms (keepsake.store.request-deadline)");
        }
    }
}
