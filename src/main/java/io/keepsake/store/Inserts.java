package io.keepsake.store;

import java.util.function.Function;
import java.util.function.Supplier;

import io.smallrye.mutiny.Uni;

/**
 * Inserts of new documents under ids that a retry may meet again: an id drawn afresh, or an id
 * chosen for an Idempotency-Key, whose earlier attempt may already have made the document.
 */
public final class Inserts {

    /** How often an insert under a fresh id is tried again under another when the id is taken. */
    private static final int FRESH_ID_RETRIES = 2;

    private Inserts() {
    }

    /** The insert {@code under} a new id, tried again under another on the (vanishingly rare) collision. */
    public static <T> Uni<T> underNewId(Function<String, Uni<T>> under) {
        return Uni.createFrom().deferred(() -> under.apply(Ids.next()))
                .onFailure(StoreErrors::isDuplicateKey).retry().atMost(FRESH_ID_RETRIES);
    }

    /**
     * The {@code insert}; when its id is taken, what an earlier attempt of the same write made
     * ({@code made} gives it, or null when the document under that id is not this write's), else
     * the duplicate-key failure.
     */
    public static <T> Uni<T> orMadeBefore(Uni<T> insert, Supplier<Uni<T>> made) {
        return insert.onFailure(StoreErrors::isDuplicateKey)
                .recoverWithUni(taken -> made.get().onItem().ifNull().failWith(() -> taken));
    }
}
