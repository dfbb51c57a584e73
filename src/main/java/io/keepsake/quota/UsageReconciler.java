package io.keepsake.quota;

import java.time.Duration;
import java.time.Instant;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Updates;

import io.keepsake.store.Indexes;
import io.keepsake.store.Sweep;
import io.keepsake.store.Throttled;
import io.keepsake.store.Time;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Counts usage again from the documents themselves, for the users whose usage changed since it was
 * last counted: a reservation whose insert never happened (the instance stopped in between), or
 * changes an instance held in memory when it stopped, are made good here. A usage document carries
 * {@code changedAt} while it waits to be counted; a user is counted once quiet for a minute (so
 * that no change of theirs is on its way), and the count replaces the stored one only if nothing
 * changed it meanwhile. Usage documents are sharded by {@code _id}: the look for changed ones is a
 * deliberate scatter read of small documents, from an index.
 */
@ApplicationScoped
public class UsageReconciler {

    static final String CHANGED_AT = "changedAt";
    private static final Duration QUIET = Duration.ofMinutes(1);
    private static final int PAGE = 100;

    private final ReactiveMongoCollection<Document> usage;
    private final Quotas quotas;

    UsageReconciler(ReactiveMongoClient client, Quotas quotas,
            @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.usage = client.getDatabase(database).getCollection("usage");
        this.quotas = quotas;
    }

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(usage, Indexes.keys(CHANGED_AT, 1));
    }

    @Scheduled(every = "${keepsake.quotas.reconcile-every}", delayed = "1m",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> scheduled() {
        return Sweep.logged("Usage reconciliation", reconcile(Time.now().minus(QUIET)));
    }

    /** Counts again every user whose usage changed before {@code quietSince}; how many were counted. */
    public Uni<Long> reconcile(Instant quietSince) {
        return usage.find(Filters.lt(CHANGED_AT, quietSince)).plug(Throttled::retry).select().first(PAGE)
                .onItem().transformToUniAndConcatenate(this::recount)
                .collect().with(java.util.stream.Collectors.counting())
                // A full page: there may be more.
                .chain(counted -> counted < PAGE ? Uni.createFrom().item(counted)
                        : reconcile(quietSince).map(more -> counted + more));
    }

    /** Replaces the user's usage with a count of their documents, unless it changed since it was read. */
    private Uni<Boolean> recount(Document stale) {
        String user = stale.getString("_id");
        return quotas.counted(user).onItem().transformToUni(counted -> usage.updateOne(
                        Filters.and(Filters.eq("_id", user), Filters.eq(CHANGED_AT, stale.get(CHANGED_AT))),
                        Updates.combine(Updates.set(Quotas.Kind.SESSION.field, counted.get(Quotas.Kind.SESSION.field)),
                                Updates.set(Quotas.Kind.SNAPSHOT.field, counted.get(Quotas.Kind.SNAPSHOT.field)),
                                Updates.set(Quotas.BYTES, counted.get(Quotas.BYTES)), Updates.unset(CHANGED_AT)))
                        .plug(Throttled::retry))
                .invoke(result -> quotas.forget(user))
                .replaceWith(Boolean.TRUE);
    }
}
