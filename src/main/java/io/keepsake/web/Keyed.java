package io.keepsake.web;

import java.util.function.Function;

import io.smallrye.mutiny.Uni;

/**
 * A write as a service prepares it for an {@code Idempotency-Key}: what it means (its
 * fingerprint: the same key with another meaning is refused) and how to run it with the key's
 * token (see {@link Idempotency#run}). A create runs under a fresh id when no key is given; an
 * update runs with no token then.
 */
public record Keyed<T>(String fingerprint, boolean creates, Function<String, Uni<T>> write) {

    public static <T> Keyed<T> create(String fingerprint, Function<String, Uni<T>> write) {
        return new Keyed<>(fingerprint, true, write);
    }

    public static <T> Keyed<T> update(String fingerprint, Function<String, Uni<T>> write) {
        return new Keyed<>(fingerprint, false, write);
    }
}
