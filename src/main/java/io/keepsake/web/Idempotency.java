package io.keepsake.web;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Updates;

import io.keepsake.store.EntityCollection;
import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.store.Ids;
import io.keepsake.store.Indexes;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Sweep;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.panache.reactive.ReactivePanacheMongoRepositoryBase;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * {@code Idempotency-Key} on writes (IETF httpapi idempotency-key draft): the same key and
 * request within the retention returns the original response; the same key with another request
 * is a 422; a retry while the first attempt still runs is a 409. Each step is one atomic store
 * operation on the key's record (insert, conditional take-over, completion), never a transaction.
 * Records are sharded by {@code _id}, which every one of those names; only the sweep goes to
 * every shard.
 */
@ApplicationScoped
public class Idempotency implements ReactivePanacheMongoRepositoryBase<IdempotencyRecord, String> {

    private final EntityCollection<IdempotencyRecord> collection = new EntityCollection<>(IdempotencyRecord.class);

    private static final int MAX_KEY_LENGTH = 255;

    private final Duration retention;
    private final Duration lockTimeout;

    public Idempotency(KeepsakeConfig config) {
        this.retention = config.idempotency().retention();
        this.lockTimeout = config.idempotency().lockTimeout();
    }

    void createIndexes(@Observes StartupEvent event) {
        Indexes.ensure(mongoCollection(), Indexes.keys("expiresAt", 1), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
    }

    /**
     * Runs a prepared write at most once per (user, operation, key) within the retention, and
     * answers with {@code response} of what it wrote; a replay gets the first answer as stored.
     * Without a key it simply runs (a create under a fresh id).
     */
    public <T> Uni<StoredResponse> run(String userId, String operation, String key, Keyed<T> write,
            Function<T, StoredResponse> response) {
        if (key == null && !write.creates()) {
            return write.write().apply(null).map(response);
        }
        if (write.answered() != null) {
            // The write keeps its answer in its own document: no record, no second command.
            return Uni.createFrom().deferred(() -> write.answered().apply(scoped(userId, operation, valid(key)),
                    write.fingerprint())).map(response);
        }
        return run(userId, operation, key, write.fingerprint(), token -> write.write().apply(token).map(response));
    }

    /** The key, if it is one this service accepts (400 otherwise). */
    private static String valid(String key) {
        if (key.isEmpty() || key.length() > MAX_KEY_LENGTH || !key.chars().allMatch(c -> c >= 0x20 && c < 0x7f)) {
            throw ApiProblem.invalidField("Idempotency-Key",
                    "Idempotency-Key must be 1 to " + MAX_KEY_LENGTH + " printable ASCII characters");
        }
        return key;
    }

    /** The key scoped to its user and operation: the same key of another user or operation is another key. */
    private static String scoped(String userId, String operation, String key) {
        byte[] scoped = (userId + '\n' + operation + '\n' + key).getBytes(StandardCharsets.UTF_8);
        return CanonicalJson.sha256Hex(scoped, scoped.length);
    }

    /**
     * Runs {@code action} at most once per (user, operation, key) within the retention.
     *
     * @param fingerprint what identifies the request's meaning; a different one under the same key is refused
     * @param action      does the write with the token it is given, which stays the same for every
     *                    attempt under the key: a create makes its resource under that id, an update
     *                    marks its write with it; when an earlier attempt already wrote (and died
     *                    before its response was recorded), the action finds that write by the token
     *                    and answers with it
     */
    private Uni<StoredResponse> run(String userId, String operation, String key, String fingerprint,
            Function<String, Uni<StoredResponse>> action) {
        if (key == null) {
            // No key: a fresh id, drawn again in the unlikely event that it is taken.
            return Uni.createFrom().deferred(() -> action.apply(Ids.next()))
                    .onFailure(StoreErrors::isDuplicateKey).retry().atMost(2);
        }
        return Uni.createFrom().deferred(() -> claim(userId, scoped(userId, operation, valid(key)), fingerprint, action,
                true));
    }

    private Uni<StoredResponse> claim(String userId, String id, String fingerprint,
            Function<String, Uni<StoredResponse>> action, boolean mayRetry) {
        Instant now = Time.now();
        IdempotencyRecord record = new IdempotencyRecord();
        record.id = id;
        record.fingerprint = fingerprint;
        record.userId = userId;
        record.state = IdempotencyRecord.RUNNING;
        record.resourceId = Ids.next();
        record.attempt = Ids.next();
        record.createdAt = now;
        record.lockedUntil = now.plus(lockTimeout);
        record.expiresAt = now.plus(retention);
        return mongoCollection().insertOne(record).plug(Throttled::retry)
                .onItem().transformToUni(inserted -> execute(record, action))
                .onFailure(StoreErrors::isDuplicateKey)
                .recoverWithUni(duplicate -> findById(id).plug(Throttled::retry).onItem().transformToUni(existing -> {
                    if (existing == null) { // swept between our insert and read: try once more
                        return mayRetry ? claim(userId, id, fingerprint, action, false)
                                : Uni.createFrom().failure(ApiProblem.conflict("Idempotency-Key is busy; retry"));
                    }
                    return resolve(existing, fingerprint, action, now);
                }));
    }

    private Uni<StoredResponse> resolve(IdempotencyRecord existing, String fingerprint,
            Function<String, Uni<StoredResponse>> action, Instant now) {
        boolean expired = existing.expiresAt.isBefore(now);
        if (!expired && !existing.fingerprint.equals(fingerprint)) {
            return Uni.createFrom().failure(ApiProblem.unprocessable(
                    "This Idempotency-Key was already used for a different request"));
        }
        if (!expired && IdempotencyRecord.DONE.equals(existing.state)) {
            return Uni.createFrom().item(new StoredResponse(existing.status, existing.location, existing.etag, existing.body));
        }
        if (!expired && existing.lockedUntil.isAfter(now)) {
            return Uni.createFrom().failure(ApiProblem.conflict(
                    "A request with this Idempotency-Key is still being processed").retryAfter(Duration.ofSeconds(1)));
        }
        // The attempt holding the key died or failed (lock lapsed), or the record expired: take the
        // key over atomically. After a dead attempt the resource id stays, so its write is found.
        IdempotencyRecord takeover = new IdempotencyRecord();
        takeover.id = existing.id;
        takeover.attempt = Ids.next();
        takeover.resourceId = expired ? Ids.next() : existing.resourceId;
        return mongoCollection().findOneAndUpdate(
                Filters.and(Filters.eq("_id", existing.id), Filters.eq("attempt", existing.attempt),
                        Filters.eq("state", existing.state)),
                Updates.combine(
                        Updates.set("state", IdempotencyRecord.RUNNING),
                        Updates.set("fingerprint", fingerprint),
                        Updates.set("resourceId", takeover.resourceId),
                        Updates.set("attempt", takeover.attempt),
                        Updates.set("lockedUntil", now.plus(lockTimeout)),
                        Updates.set("expiresAt", expired ? now.plus(retention) : existing.expiresAt)))
                .plug(Throttled::retry)
                .onItem().transformToUni(taken -> taken == null
                        ? Uni.createFrom().failure(ApiProblem.conflict(
                                "A request with this Idempotency-Key is still being processed")
                                .retryAfter(Duration.ofSeconds(1)))
                        : execute(takeover, action));
    }

    private Uni<StoredResponse> execute(IdempotencyRecord held, Function<String, Uni<StoredResponse>> action) {
        var ours = Filters.and(Filters.eq("_id", held.id), Filters.eq("attempt", held.attempt));
        return Uni.createFrom().deferred(() -> action.apply(held.resourceId))
                .onItem().call(response -> mongoCollection().updateOne(ours, Updates.combine(
                        Updates.set("state", IdempotencyRecord.DONE),
                        Updates.set("status", response.status()),
                        Updates.set("location", response.location()),
                        Updates.set("etag", response.etag()),
                        Updates.set("body", response.body()))).plug(Throttled::retry))
                // A failed attempt unlocks the key at once (keeping the resource id) so that the
                // client's retry runs now and finds whatever this attempt may have written.
                .onFailure().call(error -> mongoCollection().updateOne(ours, Updates.set("lockedUntil", Time.now()))
                        .plug(Throttled::retry).onFailure().recoverWithNull());
    }

    /** Forgets expired records (on every shard); a TTL index does the same on stores that enforce one. */
    @Scheduled(every = "${keepsake.idempotency.sweep-every}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    Uni<Void> sweep() {
        return Sweep.expired(mongoCollection(), Filters.lt("expiresAt", Time.now())).replaceWithVoid();
    }

    /** Its collection, looked up once (see {@link EntityCollection}). */
    @Override
    public ReactiveMongoCollection<IdempotencyRecord> mongoCollection() {
        return collection.get();
    }
}
