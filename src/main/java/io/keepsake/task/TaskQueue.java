package io.keepsake.task;

import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.Updates;

import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Ids;
import io.keepsake.store.Indexes;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * The task queue in the store. Claiming is one atomic find-and-modify that takes a due pending
 * task, or a running one whose lease expired (its runner died), and leases it to the caller;
 * completion and failure only count when the caller still holds the lease.
 */
@ApplicationScoped
public class TaskQueue implements ReactivePanacheMongoRepositoryBase<Task, String> {

    private final KeepsakeConfig.Tasks config;
    /** Tasks enqueued by this instance so far: the runner polls at once when it changes. */
    private final AtomicLong enqueued = new AtomicLong();

    public TaskQueue(KeepsakeConfig config) {
        this.config = config.tasks();
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
        return mongoCollection().insertOne(task).replaceWith(task).invoke(enqueued::incrementAndGet);
    }

    long enqueuedHere() {
        return enqueued.get();
    }

    /**
     * Leases the next due task of one of the given types to {@code runner}, or returns null when none
     * is due. Types this runner does not know (a newer version's, during a rolling upgrade) stay for
     * a runner that does. A task whose runner died counts that run as an attempt.
     */
    public Uni<Task> claim(String runner, Collection<String> types) {
        Instant now = Time.now();
        return mongoCollection().findOneAndUpdate(
                Filters.and(Filters.in("type", types), Filters.or(
                        Filters.and(Filters.eq("status", Task.PENDING), Filters.lte("nextAttemptAt", now)),
                        Filters.and(Filters.eq("status", Task.RUNNING), Filters.lt("leaseUntil", now),
                                Filters.lte("attempts", config.maxRetries())))),
                Updates.combine(
                        Updates.set("status", Task.RUNNING),
                        Updates.set("leaseOwner", runner),
                        Updates.set("leaseUntil", now.plus(config.lease())),
                        Updates.set("updatedAt", now),
                        Updates.inc("attempts", 1)),
                new FindOneAndUpdateOptions().sort(Sorts.ascending("nextAttemptAt"))
                        .returnDocument(ReturnDocument.AFTER));
    }

    /**
     * Parks as dead the tasks whose runners died during their last allowed attempt (their leases
     * expired with no retries left). Returns how many.
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
                .map(result -> result.getModifiedCount());
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
                .map(result -> result.getModifiedCount() == 1);
    }

    /** Forgets done tasks past their retention; a TTL index does the same on stores that enforce one. */
    @Scheduled(every = "1h", delayed = "5m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return mongoCollection().deleteMany(Filters.and(Filters.eq("status", Task.DONE), Filters.lt("expiresAt", Time.now())))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /**
     * Records a failed run: back to pending after an exponential delay (base, 2 x base, 4 x base,
     * ...), or dead once the retries are used up. The last error is kept either way.
     */
    public Uni<Boolean> fail(Task task, String runner, Throwable error) {
        Instant now = Time.now();
        boolean dead = task.attempts > config.maxRetries();
        String message = error.getClass().getSimpleName() + ": " + error.getMessage();
        return mongoCollection().updateOne(leased(task, runner), Updates.combine(
                Updates.set("status", dead ? Task.DEAD : Task.PENDING),
                Updates.set("nextAttemptAt", dead ? task.nextAttemptAt : now.plus(backoff(task.attempts))),
                Updates.set("leaseOwner", null),
                Updates.set("leaseUntil", null),
                Updates.set("lastError", message.length() > 2000 ? message.substring(0, 2000) : message),
                Updates.set("updatedAt", now)))
                .map(result -> result.getModifiedCount() == 1);
    }

    /** Gives back every task {@code runner} holds, to be claimed at once by another (graceful shutdown). */
    public Uni<Long> release(String runner) {
        return mongoCollection().updateMany(
                Filters.and(Filters.eq("status", Task.RUNNING), Filters.eq("leaseOwner", runner)),
                Updates.combine(Updates.set("status", Task.PENDING), Updates.set("nextAttemptAt", Time.now()),
                        Updates.set("leaseOwner", null), Updates.set("leaseUntil", null),
                        Updates.inc("attempts", -1)))
                .map(result -> result.getModifiedCount());
    }

    /** Delay before attempt n+1 after n failed attempts: base * 2^(n-1). */
    Duration backoff(int attempts) {
        return config.backoff().multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
    }

    /** How many tasks are in each status: one count per status, each answered from the status index. */
    public Uni<Map<String, Long>> counts() {
        List<String> statuses = List.of(Task.PENDING, Task.RUNNING, Task.DONE, Task.DEAD);
        return Uni.join().all(statuses.stream().map(status -> mongoCollection().countDocuments(Filters.eq("status", status)))
                .toList()).andFailFast().map(found -> {
                    Map<String, Long> counts = new LinkedHashMap<>();
                    for (int i = 0; i < statuses.size(); i++) {
                        if (found.get(i) > 0) {
                            counts.put(statuses.get(i), found.get(i));
                        }
                    }
                    return counts;
                });
    }

    /** The most recently failed dead tasks, newest first. */
    public Uni<List<Task>> dead(int limit) {
        return mongoCollection().find(new FindOptions().filter(Filters.eq("status", Task.DEAD))
                .sort(Sorts.descending("updatedAt")).limit(limit)).collect().asList();
    }

    private static org.bson.conversions.Bson leased(Task task, String runner) {
        return Filters.and(Filters.eq("_id", task.id), Filters.eq("status", Task.RUNNING),
                Filters.eq("leaseOwner", runner));
    }

}
