package io.keepsake.account;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import org.bson.Document;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.ReplaceOptions;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Throttled;
import io.keepsake.store.Time;
import io.keepsake.store.UserLooks;
import io.keepsake.task.TaskQueue;
import io.keepsake.web.ApiProblem;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/**
 * Erasures of users ({@code erasures}: one record per user, keyed by the user's id): asked for,
 * running, done, with what each step deleted. Asking queues a durable task ({@link EraseUser})
 * first and writes the record second, so that a record never waits for a task that was not
 * queued. Whether a user's erase is under way is kept per replica for
 * {@code keepsake.erasure.seen-within}: their writes are refused meanwhile without a store read
 * per request.
 */
@ApplicationScoped
public class Erasures {

    static final String PENDING = "pending";
    static final String RUNNING = "running";
    static final String DONE = "done";

    private final ReactiveMongoCollection<Document> erasures;
    private final TaskQueue tasks;
    private final KeepsakeConfig config;
    /** User -> whether an erase of theirs is pending or running. */
    private final UserLooks<Boolean> underWay;

    public Erasures(ReactiveMongoClient client, TaskQueue tasks, KeepsakeConfig config,
            @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this.erasures = client.getDatabase(database).getCollection("erasures");
        this.tasks = tasks;
        this.config = config;
        this.underWay = new UserLooks<>(config.erasure().seenWithin(), user -> record(user).map(Erasures::isUnderWay));
    }

    /**
     * Refuses (409) a write of a user whose erase is under way. It answers at once from what this
     * replica last saw; it waits for the store only when it has not looked within seen-within.
     */
    public Uni<Void> admit(String user) {
        return underWay.get(user).onItem().transformToUni(erasing -> erasing
                ? Uni.createFrom().failure(refused()) : Uni.createFrom().voidItem());
    }

    private static ApiProblem refused() {
        return ApiProblem.conflict("Everything of yours is being erased; writes are refused until it is done")
                .with("erasure", "/persistence/me/erasure");
    }

    /** Whether an erase of the user's is pending or running (as this replica last saw it). */
    public Uni<Boolean> underWay(String user) {
        return underWay.get(user);
    }

    /**
     * Asks for everything of the user's to be erased, by {@code by} (the user, or an operator): a
     * task, then the record. Asking again while one is under way changes nothing; after one is
     * done, it starts another.
     */
    Uni<Document> request(String user, String by) {
        Instant now = Time.now();
        return record(user).onItem().transformToUni(found -> {
            // Under way: asking again changes nothing, unless it was asked for over an hour ago (its
            // task may have died for good): then it is queued again (its steps are idempotent).
            if (isUnderWay(found) && !askedBefore(found, now.minus(STUCK_AFTER))) {
                return Uni.createFrom().item(found);
            }
            Document asked = new Document("_id", user).append("status", PENDING).append("requestedAt", Date.from(now))
                    .append("requestedBy", by).append("deleted", new Document());
            return tasks.enqueue(EraseUser.TYPE, Map.of(EraseUser.USER, user), now.plus(config.erasure().startAfter()))
                    .chain(() -> erasures.replaceOne(Filters.eq("_id", user), asked,
                            new ReplaceOptions().upsert(true)).plug(Throttled::retry))
                    .invoke(() -> underWay.put(user, true))
                    .replaceWith(asked);
        });
    }

    /** The user's erasure record, or null if none was ever asked for. */
    Uni<Document> record(String user) {
        return erasures.find(Filters.eq("_id", user)).collect().first().plug(Throttled::retry);
    }

    /** Marks the erase running (from pending; a record the task finds missing is made). */
    Uni<Void> started(String user) {
        Instant now = Time.now();
        return erasures.updateOne(Filters.and(Filters.eq("_id", user), Filters.ne("status", DONE)),
                        Updates.combine(Updates.set("status", RUNNING), Updates.set("startedAt", Date.from(now)),
                                Updates.setOnInsert("requestedAt", Date.from(now))),
                        new UpdateOptions().upsert(true))
                .plug(Throttled::retry)
                .onFailure(StoreErrors::isDuplicateKey).recoverWithNull() // done already: a late run
                .replaceWithVoid();
    }

    /** Adds what a step deleted to the record (so that runs cut short by a crash are counted too). */
    Uni<Void> deleted(String user, String what, long count) {
        return erasures.updateOne(Filters.eq("_id", user), Updates.inc("deleted." + what, count)).plug(Throttled::retry)
                .replaceWithVoid();
    }

    /** Marks the erase done. */
    Uni<Void> done(String user) {
        return erasures.updateOne(Filters.eq("_id", user), Updates.combine(Updates.set("status", DONE),
                        Updates.set("doneAt", Date.from(Time.now()))))
                .plug(Throttled::retry)
                .invoke(() -> underWay.put(user, false))
                .replaceWithVoid();
    }

    /** An erase under way this long after it was asked for is queued again when asked for again. */
    private static final Duration STUCK_AFTER = Duration.ofHours(1);

    private static boolean askedBefore(Document record, Instant cutoff) {
        Date asked = record.getDate("requestedAt");
        return asked != null && asked.toInstant().isBefore(cutoff);
    }

    private static boolean isUnderWay(Document record) {
        return record != null && !DONE.equals(record.getString("status"));
    }
}
