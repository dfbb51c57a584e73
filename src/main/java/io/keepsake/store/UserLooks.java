package io.keepsake.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

import com.github.benmanes.caffeine.cache.AsyncLoadingCache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.smallrye.mutiny.Uni;

/**
 * What the store says of each user (that they signed out, that their data is being erased), as
 * this replica last looked it up: trusted for {@code seenWithin} (zero: looked up every time), so
 * that a user costs one small read per that time, not one per request. What this replica itself
 * writes is known at once ({@link #put}); what another replica writes is seen here at most
 * {@code seenWithin} later.
 */
public final class UserLooks<T> {

    /** At most this many users are remembered; the rest are looked up again. */
    private static final int USERS = 100_000;

    private final AsyncLoadingCache<String, T> looks;

    public UserLooks(Duration seenWithin, Function<String, Uni<T>> look) {
        this.looks = Caffeine.newBuilder().maximumSize(USERS)
                .expireAfterWrite(seenWithin.isZero() || seenWithin.isNegative() ? Duration.ofNanos(1) : seenWithin)
                .buildAsync((user, executor) -> look.apply(user).subscribeAsCompletionStage());
    }

    /** What is known of the user: at once when looked up within the time, else once the store answers. */
    public Uni<T> get(String user) {
        CompletableFuture<T> known = looks.get(user);
        if (known.isDone() && !known.isCompletedExceptionally()) {
            return Uni.createFrom().item(known.join());
        }
        return Uni.createFrom().completionStage(known);
    }

    /** What this replica has just written of the user. */
    public void put(String user, T value) {
        looks.put(user, CompletableFuture.completedFuture(value));
    }
}
