package io.keepsake.store;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.concurrent.atomic.AtomicReference;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;

import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * A scheduled sweep that only reads the store when something can have expired. Each sweep ends by
 * reading the earliest expiry left in the collection; until then nothing can expire but what is
 * written later. Every record of a collection is kept for the same time, so a later write expires
 * later still: this instance tells the plan of its own writes, and each other instance sweeps
 * what it writes. Once a day the sweep runs anyway, for what an instance that stopped left behind.
 */
public final class SweepPlan {

    /** The longest a sweep is skipped: records another instance wrote and did not live to sweep. */
    static final Duration AT_LEAST_EVERY = Duration.ofDays(1);
    private static final Instant NEVER = Instant.MAX;

    private final ReactiveMongoCollection<Document> collection;
    private final String field;
    /** The earliest moment something known may expire; the start of time until a sweep has read the store. */
    private final AtomicReference<Instant> next = new AtomicReference<>(Instant.MIN);
    private volatile Instant lastSweep = Instant.MIN;

    /** A plan for the collection's records, whose expiry is the date in {@code field}. */
    public SweepPlan(ReactiveMongoCollection<?> collection, String field) {
        this.collection = collection.withDocumentClass(Document.class);
        this.field = field;
    }

    /** This instance wrote (and the store acknowledged) a record that expires at {@code expiresAt}. */
    public void wrote(Instant expiresAt) {
        next.accumulateAndGet(expiresAt, (known, fresh) -> fresh.isBefore(known) ? fresh : known);
    }

    /** Whether a sweep now could find something, or it has been skipped for long enough. */
    public boolean due(Instant now) {
        return !now.isBefore(next.get()) || !now.isBefore(lastSweep.plus(AT_LEAST_EVERY));
    }

    /**
     * Deletes what matches {@code expired} if {@link #due}, then learns the earliest expiry left;
     * returns how many were deleted. Never fails (see {@link Sweep#expired}).
     */
    public Uni<Long> sweep(Bson expired, Instant now) {
        if (!due(now)) {
            return Uni.createFrom().item(0L);
        }
        lastSweep = now;
        // Writes acknowledged from here on lower it again; those before are in what the sweep reads.
        next.set(NEVER);
        return Sweep.expired(collection, expired)
                .call(() -> earliestLeft()
                        .invoke(earliest -> {
                            if (earliest != null) {
                                wrote(earliest); // in the past if the sweep could not delete it: due again
                            }
                        })
                        .onFailure().invoke(() -> next.set(Instant.MIN))
                        .onFailure().recoverWithNull());
    }

    /** The earliest expiry in the collection (from its index on the field), or null when none is left. */
    private Uni<Instant> earliestLeft() {
        return collection.find(new FindOptions().filter(Filters.gte(field, Instant.EPOCH))
                        .projection(Projections.include(field)).sort(Sorts.ascending(field)).limit(1))
                .collect().first()
                .map(found -> found != null && found.get(field) instanceof Date date ? date.toInstant() : null);
    }
}
