package io.keepsake.store;

import java.util.List;
import java.util.function.Function;
import java.util.function.Supplier;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * The shape of the sweeps that settle what has come due (sessions idle past their lifetime,
 * snapshots past their end): read a page of what is due, settle each one after another, and read
 * the next page while pages come full. Settling an entry must take it out of what the read finds
 * (or move it past the sweep's time), so that each page starts where the last one ended.
 */
public final class DuePages {

    private DuePages() {
    }

    /** Settles every entry {@code due} finds, pages of {@code page} at a time; how many it found. */
    public static <T> Uni<Long> settle(Supplier<Uni<List<T>>> due, int page, Function<T, Uni<?>> settle) {
        return settle(due, page, settle, 0);
    }

    private static <T> Uni<Long> settle(Supplier<Uni<List<T>>> due, int page, Function<T, Uni<?>> settle, long done) {
        return due.get().flatMap(found -> Multi.createFrom().iterable(found)
                .onItem().transformToUniAndConcatenate(settle)
                .collect().last()
                .flatMap(last -> found.size() < page ? Uni.createFrom().item(done + found.size())
                        : settle(due, page, settle, done + found.size())));
    }

    /** A scheduled sweep: what it did logged, and never a failure (the next run tries again). */
    public static Uni<Void> scheduled(String what, Uni<Long> sweep) {
        return Sweep.logged(what, sweep.invoke(settled -> {
            if (settled > 0) {
                Log.debugf("%s: %d settled", what, settled);
            }
        }));
    }
}
