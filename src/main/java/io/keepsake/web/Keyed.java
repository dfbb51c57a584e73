package io.keepsake.web;

import java.util.function.BiFunction;
import java.util.function.Function;

import io.smallrye.mutiny.Uni;

/**
 * A write as a service prepares it for an {@code Idempotency-Key}: what it means (its
 * fingerprint: the same key with another meaning is refused) and how to run it with the key's
 * token (see {@link Idempotency#run}). A create runs under a fresh id when no key is given; an
 * update runs with no token then.
 */
public record Keyed<T>(String fingerprint, boolean creates, Function<String, Uni<T>> write,
        BiFunction<String, String, Uni<T>> answered) {

    public static <T> Keyed<T> create(String fingerprint, Function<String, Uni<T>> write) {
        return new Keyed<>(fingerprint, true, write, null);
    }

    public static <T> Keyed<T> update(String fingerprint, Function<String, Uni<T>> write) {
        return new Keyed<>(fingerprint, false, write, null);
    }

    /**
     * An update that keeps its answer in the document it writes, in the same store command: it is
     * run with the key (scoped to its user and operation; null without one) and the fingerprint,
     * and needs no record of its own (see {@link Idempotency#run}).
     */
    public static <T> Keyed<T> answered(String fingerprint, BiFunction<String, String, Uni<T>> write) {
        return new Keyed<>(fingerprint, false, token -> write.apply(null, fingerprint), write);
    }
}
