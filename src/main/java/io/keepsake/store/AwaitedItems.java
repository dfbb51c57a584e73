package io.keepsake.store;

import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.infrastructure.Infrastructure;

/**
 * A query's documents passed on as they come, the query given up when a document asked for does not
 * come in time: the first within {@code first}, each later one within {@code next} of being awaited.
 * While its consumer asks for nothing, nothing is awaited: a slow consumer never fails the query.
 */
final class AwaitedItems<T> implements Flow.Subscriber<T>, Flow.Subscription {

    private final Flow.Subscriber<? super T> downstream;
    private final long next;
    private final Supplier<? extends Throwable> late;
    private Flow.Subscription upstream;
    /** How long the document awaited now may take (nanoseconds). */
    private long bound;
    /** Documents asked for and not passed on yet. */
    private long asked;
    private Future<?> timer;
    /** Bumped whenever the timer is set or stopped: a timer that fires late for an earlier wait does nothing. */
    private long wait;
    private boolean over;

    private AwaitedItems(Flow.Subscriber<? super T> downstream, long first, long next,
            Supplier<? extends Throwable> late) {
        this.downstream = downstream;
        this.bound = first;
        this.next = next;
        this.late = late;
    }

    static <T> Multi<T> of(Multi<T> query, long first, long next, Supplier<? extends Throwable> late) {
        return Multi.createFrom().publisher(downstream -> query.subscribe()
                .withSubscriber(new AwaitedItems<T>(downstream, first, next, late)));
    }

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
        upstream = subscription;
        downstream.onSubscribe(this);
    }

    @Override
    public void request(long n) {
        synchronized (this) {
            if (over) {
                return;
            }
            if (asked == 0 && n > 0) {
                start();
            }
            asked = asked + n < 0 ? Long.MAX_VALUE : asked + n;
        }
        upstream.request(n);
    }

    @Override
    public synchronized void onNext(T item) {
        if (over) {
            return;
        }
        stop();
        bound = next;
        if (asked != Long.MAX_VALUE) {
            asked--;
        }
        if (asked > 0) {
            start();
        }
        downstream.onNext(item);
    }

    @Override
    public synchronized void onError(Throwable failure) {
        if (!over) {
            over = true;
            stop();
            downstream.onError(failure);
        }
    }

    @Override
    public synchronized void onComplete() {
        if (!over) {
            over = true;
            stop();
            downstream.onComplete();
        }
    }

    @Override
    public void cancel() {
        synchronized (this) {
            over = true;
            stop();
        }
        upstream.cancel();
    }

    private void start() {
        long started = ++wait;
        timer = Infrastructure.getDefaultWorkerPool()
                .schedule(() -> expire(started), Math.max(0, bound), TimeUnit.NANOSECONDS);
    }

    private void stop() {
        wait++;
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    private void expire(long started) {
        synchronized (this) {
            if (over || started != wait) {
                return;
            }
            over = true;
            timer = null;
            downstream.onError(late.get());
        }
        upstream.cancel();
    }
}
