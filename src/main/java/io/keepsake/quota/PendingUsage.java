package io.keepsake.quota;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

import org.bson.Document;

import com.mongodb.MongoBulkWriteException;
import com.mongodb.bulk.BulkWriteError;
import com.mongodb.bulk.BulkWriteResult;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.Updates;

import io.keepsake.store.StoreDeadline;
import io.keepsake.store.Throttled;
import io.keepsake.store.Time;
import io.quarkus.logging.Log;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * Changes of users' usage this instance made and has not yet added to their usage documents: far
 * from a limit, a create, delete or resize counts here, and every user's changes go to the store
 * together, in one command, a moment later. A change that dies with the instance is made good by
 * the reconciliation (see {@link UsageReconciler}), which counts from the documents.
 */
final class PendingUsage {

    /** One user's changes not yet in the store. */
    record Delta(long sessions, long snapshots, long bytes) {

        static final Delta NONE = new Delta(0, 0, 0);

        Delta plus(Delta other) {
            return new Delta(sessions + other.sessions, snapshots + other.snapshots, bytes + other.bytes);
        }

        long count(Quotas.Kind kind) {
            return kind == Quotas.Kind.SESSION ? sessions : snapshots;
        }

        static Delta of(Quotas.Kind kind, long count, long bytes) {
            return kind == Quotas.Kind.SESSION ? new Delta(count, 0, bytes) : new Delta(0, count, bytes);
        }
    }

    private final ReactiveMongoCollection<Document> usage;
    private final Duration after;
    /** Told what each flush added to a user's usage document. */
    private final BiConsumer<String, Delta> stored;
    private final Map<String, Delta> pending = new ConcurrentHashMap<>();
    /** Changes on their way to the store: how many flushes of each user's are. */
    private final Map<String, Integer> inFlight = new ConcurrentHashMap<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    PendingUsage(ReactiveMongoCollection<Document> usage, Duration after, BiConsumer<String, Delta> stored) {
        this.usage = usage;
        this.after = after;
        this.stored = stored;
    }

    Delta of(String user) {
        return pending.getOrDefault(user, Delta.NONE);
    }

    /** Whether some change of the user's is not in the store yet (pending, or on its way). */
    boolean holds(String user) {
        return pending.containsKey(user) || inFlight.containsKey(user);
    }

    void add(String user, Delta delta) {
        pending.merge(user, delta, Delta::plus);
        if (scheduled.compareAndSet(false, true)) {
            Uni.createFrom().voidItem().onItem().delayIt().by(after)
                    .subscribe().with(ignored -> flush().subscribe().with(done -> { }, error -> { }));
        }
    }

    /** Adds the user's pending changes to their usage document now (before an exact check). */
    Uni<Void> flush(String user) {
        Delta delta = pending.remove(user);
        return delta == null ? Uni.createFrom().voidItem() : write(Map.of(user, delta));
    }

    /** Adds everyone's pending changes to their usage documents, in one command. */
    Uni<Void> flush() {
        scheduled.set(false);
        Map<String, Delta> taken = new ConcurrentHashMap<>();
        pending.keySet().forEach(user -> {
            Delta delta = pending.remove(user);
            if (delta != null) {
                taken.put(user, delta);
            }
        });
        return taken.isEmpty() ? Uni.createFrom().voidItem() : write(taken);
    }

    private Uni<Void> write(Map<String, Delta> deltas) {
        List<String> users = new ArrayList<>(deltas.keySet());
        List<UpdateOneModel<Document>> updates = new ArrayList<>(users.size());
        users.forEach(user -> updates.add(new UpdateOneModel<>(Filters.eq("_id", user), Updates.combine(
                Updates.inc(Quotas.Kind.SESSION.field, deltas.get(user).sessions()),
                Updates.inc(Quotas.Kind.SNAPSHOT.field, deltas.get(user).snapshots()),
                Updates.inc(Quotas.BYTES, deltas.get(user).bytes()), Updates.set(UsageReconciler.CHANGED_AT, Time.now())))));
        users.forEach(user -> inFlight.merge(user, 1, Integer::sum));
        Uni<BulkWriteResult> sent = usage.bulkWrite(updates, new BulkWriteOptions().ordered(false));
        // One statement that was throttled was not applied: it is sent again. Of several, some may have
        // been (an $inc must not be applied twice): those that failed wait for the next flush.
        return (users.size() == 1 ? sent.plug(Throttled::retry) : sent.plug(StoreDeadline::bound)).replaceWithVoid()
                .invoke(() -> deltas.forEach(stored))
                .onTermination().invoke(() -> users.forEach(user ->
                        inFlight.computeIfPresent(user, (u, n) -> n > 1 ? n - 1 : null)))
                .onFailure().invoke(error -> {
                    // Kept for the next round; if this instance stops first, the reconciliation counts again.
                    Log.debugf("Usage changes not stored yet: %s", error.getMessage());
                    Set<Integer> failed = failedStatements(error, users.size());
                    for (int i = 0; i < users.size(); i++) {
                        if (failed.contains(i)) {
                            add(users.get(i), deltas.get(users.get(i)));
                        } else {
                            stored.accept(users.get(i), deltas.get(users.get(i)));
                        }
                    }
                });
    }

    /** The statements of an unordered bulk write that were not applied: those with a write error, else all. */
    private static Set<Integer> failedStatements(Throwable error, int count) {
        if (error instanceof MongoBulkWriteException bulk && bulk.getWriteConcernError() == null) {
            return bulk.getWriteErrors().stream().map(BulkWriteError::getIndex).collect(Collectors.toSet());
        }
        return IntStream.range(0, count).boxed().collect(Collectors.toSet());
    }
}
