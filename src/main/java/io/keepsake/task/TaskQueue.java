package io.keepsake.task;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;
import org.bson.conversions.Bson;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.keepsake.store.EntityCollection;
import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.config.TasksConfig;
import io.keepsake.store.Ids;
import io.keepsake.store.Indexes;
import io.keepsake.store.Sweep;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * The task queue in the store. Claiming leases a due pending task, or a running one whose lease
 * expired (its runner died), to the caller in one atomic find-and-modify on the task's id;
 * completion and failure only count when the caller still holds the lease. Tasks are sharded by
 * {@code _id}: every write to one task names it. Reads about the queue as a whole (what is due,
 * depth by status, dead tasks) and the clean-ups that touch many tasks go to every shard on purpose.
 */
@ApplicationScoped
public class TaskQueue implements ReactivePanacheMongoRepositoryBase<Task, String> {

    private final EntityCollection<Task> collection = new EntityCollection<>(Task.class);

    /** Due tasks read at once as candidates for a claim. */
    private static final int CANDIDATES = 8;
    /** Reads of candidates per claim when every candidate was taken by other runners meanwhile. */
    private static final int CLAIM_ROUNDS = 3;

    private static final List<String> STATUSES = List.of(Task.PENDING, Task.RUNNING, Task.DONE, Task.DEAD);

    private final TasksConfig config;
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();

    /** Hears what this instance does to the queue: the runner need not poll for its own tasks, nor the gauge. */
    interface Watcher {
        /** A task enqueued here, or put back for a retry here, becomes due at {@code at}. */
        default void due(Instant at) {
        }

        /** This instance changed the queue (each of the above included). */
        default void changed() {
        }
    }

    public TaskQueue(KeepsakeConfig config) {
        this.config = config.tasks();
    }

    void watch(Watcher watcher) {
        watchers.add(watcher);
    }

    private void becomesDue(Instant at) {
        watchers.forEach(watcher -> watcher.due(at));
        changedIf(true);
    }

    private void changedIf(boolean changed) {
        if (changed) {
            watchers.forEach(Watcher::changed);
        }
    }

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(mongoCollection(), Indexes.keys("status", 1, "nextAttemptAt", 1));
        Indexes.ensure(mongoCollection(), Indexes.keys("status", 1, "leaseUntil", 1));
        Indexes.ensure(mongoCollection(), Indexes.keys("expiresAt", 1), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
    }

    public Uni<Task> enqueue(String type, Map<String, String> payload) {
        return enqueue(type, payload, Time.now());
    }

    /** Enqueues a task that becomes due at {@code notBefore}. */
    public Uni<Task> enqueue(String type, Map<String, String> payload, Instant notBefore) {
        Instant now = Time.now();
        Task task = new Task();
        task.id = Ids.next();
        task.type = type;
        task.payload = payload;
        task.status = Task.PENDING;
        task.attempts = 0;
        task.nextAttemptAt = notBefore;
        task.createdAt = now;
        task.updatedAt = now;
        return mongoCollection().insertOne(task).plug(Throttled::retry).replaceWith(task).invoke(() -> becomesDue(notBefore));
    }

    /**
     * Leases the next due task of one of the given types to {@code runner}, or returns null when none
     * is due. Types this runner does not know (a newer version's, during a rolling upgrade) stay for
     * a runner that does. A task whose runner died counts that run as an attempt.
     * <p>
     * Two steps, so that the write names the shard key ({@code _id}): finding what is due is a
     * deliberate scatter read (a queue is read across the collection; each shard answers from its
     * status index), and the lease is taken by a find-and-modify on one candidate's {@code _id}
     * that checks again that it is still due. A sharded MongoDB before 7.1 and Cosmos DB refuse a
     * find-and-modify without the shard key. Of runners racing for a candidate one wins; the
     * others move on to the next.
     */
    public Uni<Task> claim(String runner, Collection<String> types) {
        return claim(runner, types, CLAIM_ROUNDS);
    }

    private Uni<Task> claim(String runner, Collection<String> types, int rounds) {
        Instant now = Time.now();
        return mongoCollection().find(new FindOptions().filter(Filters.and(Filters.in("type", types), due(now)))
                .projection(Projections.include("_id")).sort(Sorts.ascending("nextAttemptAt")).limit(CANDIDATES))
                .map(candidate -> candidate.id).collect().asList().plug(Throttled::retry)
                .onItem().transformToUni(ids -> leaseFirst(runner, types, now, ids, 0)
                        .onItem().ifNull().switchTo(() -> ids.size() == CANDIDATES && rounds > 1
                                ? claim(runner, types, rounds - 1)
                                : Uni.createFrom().nullItem()));
    }

    /** Leases the first of the candidates that is still due when asked; null if others took them all. */
    private Uni<Task> leaseFirst(String runner, Collection<String> types, Instant now, List<String> ids, int next) {
        if (next >= ids.size()) {
            return Uni.createFrom().nullItem();
        }
        return mongoCollection().findOneAndUpdate(
                Filters.and(Filters.eq("_id", ids.get(next)), Filters.in("type", types), due(now)),
                Updates.combine(
                        Updates.set("status", Task.RUNNING),
                        Updates.set("leaseOwner", runner),
                        Updates.set("leaseUntil", now.plus(config.lease())),
                        Updates.set("updatedAt", now),
                        Updates.inc("attempts", 1)),
                new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))
                .plug(Throttled::retry)
                .onItem().ifNull().switchTo(() -> leaseFirst(runner, types, now, ids, next + 1));
    }

    /** Due: pending and its time has come, or running under a lease that expired with retries left. */
    private Bson due(Instant now) {
        return Filters.or(
                Filters.and(Filters.eq("status", Task.PENDING), Filters.lte("nextAttemptAt", now)),
                Filters.and(Filters.eq("status", Task.RUNNING), Filters.lt("leaseUntil", now),
                        Filters.lte("attempts", config.maxRetries())));
    }

    /**
     * Parks as dead the tasks whose runners died during their last allowed attempt (their leases
     * expired with no retries left). Returns how many. A multi-document update sent to every shard
     * on purpose: such tasks can be anywhere, and it runs at most once per idle-poll-every per instance.
     */
    public Uni<Long> buryAbandoned() {
        Instant now = Time.now();
        return mongoCollection().updateMany(
                Filters.and(Filters.eq("status", Task.RUNNING), Filters.lt("leaseUntil", now),
                        Filters.gt("attempts", config.maxRetries())),
                Updates.combine(
                        Updates.set("status", Task.DEAD),
                        Updates.set("leaseOwner", null),
                        Updates.set("leaseUntil", null),
                        Updates.set("lastError", "Lease expired on the last attempt: its runner stopped or hung"),
                        Updates.set("updatedAt", now)))
                .plug(Throttled::retry) // sent again whole if throttled: a task it buried no longer matches
                .map(result -> result.getModifiedCount())
                .invoke(buried -> changedIf(buried > 0));
    }

    /** Marks the task done if {@code runner} still holds it; false if its lease was lost. Done tasks expire. */
    public Uni<Boolean> complete(Task task, String runner) {
        Instant now = Time.now();
        return mongoCollection().updateOne(leased(task, runner), Updates.combine(
                Updates.set("status", Task.DONE),
                Updates.set("leaseOwner", null),
                Updates.set("leaseUntil", null),
                Updates.set("lastError", null),
                Updates.set("updatedAt", now),
                Updates.set("expiresAt", now.plus(config.keepDone()))))
                .plug(Throttled::retry)
                .map(result -> result.getModifiedCount() == 1)
                .invoke(this::changedIf);
    }

    /** Forgets done tasks past their retention (on every shard); a TTL index does the same on stores that enforce one. */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return Sweep.expired(mongoCollection(), Filters.and(Filters.eq("status", Task.DONE), Filters.lt("expiresAt", Time.now())))
                .replaceWithVoid();
    }

    /**
     * Records a failed run: back to pending after an exponential delay (base, 2 x base, 4 x base,
     * ...), or dead once the retries are used up. The last error is kept either way.
     */
    public Uni<Boolean> fail(Task task, String runner, Throwable error) {
        Instant now = Time.now();
        boolean dead = task.attempts > config.maxRetries();
        Instant retryAt = now.plus(backoff(task.attempts));
        String message = error.getClass().getSimpleName() + ": " + error.getMessage();
        return mongoCollection().updateOne(leased(task, runner), Updates.combine(
                Updates.set("status", dead ? Task.DEAD : Task.PENDING),
                Updates.set("nextAttemptAt", dead ? task.nextAttemptAt : retryAt),
                Updates.set("leaseOwner", null),
                Updates.set("leaseUntil", null),
                Updates.set("lastError", message.length() > 2000 ? message.substring(0, 2000) : message),
                Updates.set("updatedAt", now)))
                .plug(Throttled::retry)
                .map(result -> result.getModifiedCount() == 1)
                .invoke(recorded -> {
                    if (recorded && !dead) {
                        becomesDue(retryAt);
                    } else {
                        changedIf(recorded);
                    }
                });
    }

    /**
     * Gives back every task {@code runner} holds, to be claimed at once by another (graceful
     * shutdown). Sent to every shard: the runner's tasks are wherever their ids put them.
     */
    public Uni<Long> release(String runner) {
        return mongoCollection().updateMany(
                Filters.and(Filters.eq("status", Task.RUNNING), Filters.eq("leaseOwner", runner)),
                Updates.combine(Updates.set("status", Task.PENDING), Updates.set("nextAttemptAt", Time.now()),
                        Updates.set("leaseOwner", null), Updates.set("leaseUntil", null),
                        Updates.inc("attempts", -1)))
                .plug(Throttled::retry) // sent again whole if throttled: a task it handed back no longer matches
                .map(result -> result.getModifiedCount())
                .invoke(released -> changedIf(released > 0));
    }

    /** Delay before attempt n+1 after n failed attempts: base * 2^(n-1). */
    Duration backoff(int attempts) {
        return config.backoff().multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
    }

    /**
     * How many tasks are in each status (those with none are left out), in one aggregation over
     * every shard (the queue-depth gauge and the admin view).
     */
    public Uni<Map<String, Long>> counts() {
        return mongoCollection().aggregate(List.of(Aggregates.match(Filters.in("status", STATUSES)),
                        Aggregates.group("$status", Accumulators.sum("n", 1))), Document.class)
                .collect().asList().plug(Throttled::retry).map(groups -> {
                    Map<String, Long> found = new HashMap<>();
                    groups.forEach(group -> found.put(group.getString("_id"), ((Number) group.get("n")).longValue()));
                    Map<String, Long> counts = new LinkedHashMap<>();
                    STATUSES.stream().filter(status -> found.getOrDefault(status, 0L) > 0)
                            .forEach(status -> counts.put(status, found.get(status)));
                    return counts;
                });
    }

    /** The most recently failed dead tasks, newest first, from every shard (the admin view). */
    public Uni<List<Task>> dead(int limit) {
        return mongoCollection().find(new FindOptions().filter(Filters.eq("status", Task.DEAD))
                .sort(Sorts.descending("updatedAt")).limit(limit)).collect().asList().plug(Throttled::retry);
    }

    private static Bson leased(Task task, String runner) {
        return Filters.and(Filters.eq("_id", task.id), Filters.eq("status", Task.RUNNING),
                Filters.eq("leaseOwner", runner));
    }

    /** Its collection, looked up once (see {@link EntityCollection}). */
    @Override
    public ReactiveMongoCollection<Task> mongoCollection() {
        return collection.get();
    }
}
