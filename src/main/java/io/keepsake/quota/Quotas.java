package io.keepsake.quota;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.mongodb.client.model.Accumulators;
import com.mongodb.client.model.Aggregates;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.FindOneAndUpdateOptions;
import com.mongodb.client.model.ReturnDocument;
import com.mongodb.client.model.Updates;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.StoreErrors;
import io.keepsake.store.Time;
import io.keepsake.web.ApiProblem;
import io.keepsake.store.Throttled;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.runtime.ShutdownEvent;
import io.smallrye.mutiny.Uni;

/**
 * Per-user quotas that hold across replicas: how many live sessions and snapshots a user has and
 * how many canonical content bytes they hold together, kept in the store as one {@code usage}
 * document per user ({@code _id}: the user id, its shard key). Near a limit (within a tenth of it),
 * a create reserves its count and bytes with one conditional {@code $inc} (refused when the result
 * would pass the limit) before it inserts, and gives them back if the insert fails; a replace that
 * grows a session passes only the growth that fits (see {@link #headroom}). Far from every limit,
 * creates, deletes and resizes are counted in memory and added to the usage documents of everyone
 * who wrote, in one command, {@code keepsake.quotas.usage-flush-after} later (see
 * {@link PendingUsage}): across replicas a limit can then be passed by what the others wrote in that
 * moment, never by more than the margin allows. A user's document is made from their stored
 * sessions and snapshots the first time it is needed, so data from before quotas (or imported)
 * counts, and counted again from them when it changed (see {@link UsageReconciler}).
 */
@ApplicationScoped
public class Quotas {

    public enum Kind {
        SESSION("sessions", "keepsake.quotas.max-sessions-per-user"),
        SNAPSHOT("snapshots", "keepsake.quotas.max-snapshots-per-user");

        final String field;
        final String setting;

        Kind(String field, String setting) {
            this.field = field;
            this.setting = setting;
        }
    }

    static final String BYTES = "bytes";
    static final String BYTES_SETTING = "keepsake.quotas.max-stored-bytes-per-user";

    private final ReactiveMongoCollection<Document> usage;
    private final ReactiveMongoCollection<Document> sessions;
    private final ReactiveMongoCollection<Document> snapshots;
    private final Map<Kind, Long> maxCount;
    private final long maxBytes;
    /** Each user's usage as this replica last wrote or read it, its own pending changes not included. */
    private final Map<String, Document> lastKnown = new ConcurrentHashMap<>();
    private static final int HINTS = 100_000;
    private final PendingUsage pending;

    public Quotas(ReactiveMongoClient client, KeepsakeConfig config,
            @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        var db = client.getDatabase(database);
        this.usage = db.getCollection("usage");
        this.sessions = db.getCollection("sessions");
        this.snapshots = db.getCollection("snapshots");
        this.maxCount = Map.of(Kind.SESSION, config.quotas().maxSessionsPerUser(),
                Kind.SNAPSHOT, config.quotas().maxSnapshotsPerUser());
        this.maxBytes = config.quotas().maxStoredBytesPerUser().asLongValue();
        this.pending = new PendingUsage(usage, config.quotas().usageFlushAfter(), this::learned);
    }

    /**
     * How far from a limit a change may be counted lazily: a tenth of the limit, at least two (of a
     * count). Nearer, every change is the exact conditional increment of the usage document.
     */
    private long margin(Kind kind) {
        return Math.max(2, maxCount.get(kind) / 10);
    }

    /** Whether the user's usage, with this replica's pending changes and {@code change}, stays clear of every limit. */
    private boolean farFromLimits(String user, PendingUsage.Delta change) {
        Document known = lastKnown.get(user);
        if (known == null) {
            return false;
        }
        PendingUsage.Delta projected = pending.of(user).plus(change);
        for (Kind kind : Kind.values()) {
            if (projected.count(kind) > 0 && count(known, kind) + projected.count(kind) > maxCount.get(kind) - margin(kind)) {
                return false;
            }
        }
        return projected.bytes() <= 0 || bytes(known) + projected.bytes() <= maxBytes - maxBytes / 10;
    }

    /** What this replica's flush added to a user's usage document. */
    private void learned(String user, PendingUsage.Delta delta) {
        lastKnown.computeIfPresent(user, (u, known) -> new Document(known)
                .append(Kind.SESSION.field, count(known, Kind.SESSION) + delta.sessions())
                .append(Kind.SNAPSHOT.field, count(known, Kind.SNAPSHOT) + delta.snapshots())
                .append(BYTES, bytes(known) + delta.bytes()));
    }

    /** Drops what this replica knew of the user's usage (it was counted again in the store). */
    void forget(String user) {
        lastKnown.remove(user);
    }

    /** Whether this replica holds usage changes of the user not yet in the store. */
    public boolean unsaved(String user) {
        return pending.holds(user);
    }

    /** Stores every pending change (a graceful stop loses none). */
    void onStop(@Observes ShutdownEvent event) {
        pending.flush().await().atMost(java.time.Duration.ofSeconds(10));
    }

    /**
     * Reserves one more session or snapshot of {@code bytes} for the user: 409 past the count,
     * 413 past the bytes, each naming its setting.
     */
    public Uni<Void> reserve(String user, Kind kind, long bytes) {
        PendingUsage.Delta change = PendingUsage.Delta.of(kind, 1, bytes);
        if (farFromLimits(user, change)) {
            pending.add(user, change);
            return Uni.createFrom().voidItem();
        }
        // One round trip when the user's usage document exists (after this replica's pending changes,
        // if any). A failed increment may also mean it did not exist yet (and another request may be
        // making it now): it is made if missing, the increment tried again, and only then refused,
        // naming the limit the usage read then passes.
        return pending.flush(user).chain(() -> increment(user, kind, bytes))
                .onItem().ifNull().switchTo(() -> ensure(user).onItem().transformToUni(current -> increment(user, kind, bytes))
                        .onItem().ifNull().switchTo(() -> find(user).map(now -> { throw refused(kind, bytes, now); })))
                .replaceWithVoid();
    }

    /**
     * Runs {@code insert}, the write of one more session or snapshot of {@code bytes}, with its
     * place reserved first (refused as {@link #reserve} refuses) and given back if the write fails.
     */
    public <T> Uni<T> reserved(String user, Kind kind, long bytes, Uni<T> insert) {
        return reserve(user, kind, bytes).onItem().transformToUni(reserved -> insert.onFailure().call(failed ->
                release(user, kind, bytes).onFailure().recoverWithNull()));
    }

    /** The conditional increment: the usage after it, or null when it would pass a limit (or there is no usage yet). */
    private Uni<Document> increment(String user, Kind kind, long bytes) {
        Bson fits = Filters.and(Filters.eq("_id", user), Filters.lt(kind.field, maxCount.get(kind)),
                Filters.lte(BYTES, maxBytes - bytes));
        return update(user, fits, Updates.combine(Updates.inc(kind.field, 1L), Updates.inc(BYTES, bytes),
                Updates.set(UsageReconciler.CHANGED_AT, Time.now())));
    }

    /** Gives back what a create reserved or a delete frees (counted with the next flush: freeing is always safe). */
    public Uni<Void> release(String user, Kind kind, long bytes) {
        pending.add(user, PendingUsage.Delta.of(kind, -1, -bytes));
        return Uni.createFrom().voidItem();
    }

    /** Adds the change of a replaced content's size (its growth was checked against the headroom first). */
    public Uni<Void> resized(String user, long delta) {
        if (delta != 0) {
            pending.add(user, new PendingUsage.Delta(0, 0, delta));
        }
        return Uni.createFrom().voidItem();
    }

    /**
     * How many bytes the user may still add, when it might matter for a write of {@code bytes}:
     * null when even the whole write fits under what this replica last saw (no store read then),
     * else read from the store. A replace that grows its session by more than this is refused.
     */
    public Uni<Long> headroom(String user, long bytes) {
        if (farFromLimits(user, new PendingUsage.Delta(0, 0, bytes))) {
            return Uni.createFrom().nullItem();
        }
        return pending.flush(user).chain(() -> ensure(user))
                .map(current -> Math.max(0, maxBytes - bytes(remember(user, current))));
    }

    /** The problem of a replace whose growth does not fit. */
    public ApiProblem tooLarge(long growth) {
        return new ApiProblem(413, "Content Too Large", "Storing " + growth + " more bytes would pass this user's quota of "
                + maxBytes + " stored bytes (" + BYTES_SETTING + ")").with("limit", BYTES_SETTING);
    }

    /** Updates the user's usage if it matches {@code filter}: the usage after it (remembered), or null. */
    private Uni<Document> update(String user, Bson filter, Bson update) {
        return usage.findOneAndUpdate(filter, update, new FindOneAndUpdateOptions().returnDocument(ReturnDocument.AFTER))
                .plug(Throttled::retry)
                .invoke(after -> {
                    if (after != null) {
                        remember(user, after);
                    }
                });
    }

    private ApiProblem refused(Kind kind, long bytes, Document current) {
        if (current != null && count(current, kind) >= maxCount.get(kind)) {
            return new ApiProblem(409, "Conflict", "This user already has " + maxCount.get(kind) + " " + kind.field
                    + ", the most allowed (" + kind.setting + "); delete some first").with("limit", kind.setting);
        }
        return tooLarge(bytes);
    }

    /** The user's usage document, made from what they have stored if it does not exist yet. */
    private Uni<Document> ensure(String user) {
        return find(user).onItem().ifNull().switchTo(() -> made(user));
    }

    /** Makes the user's usage document from what they have stored; if another request made it first, theirs. */
    private Uni<Document> made(String user) {
        return counted(user).onItem().transformToUni(counted -> usage.insertOne(counted).plug(Throttled::retry)
                .replaceWith(counted).onFailure(StoreErrors::isDuplicateKey).recoverWithUni(taken -> find(user)));
    }

    private Uni<Document> find(String user) {
        return usage.find(Filters.eq("_id", user)).collect().first().plug(Throttled::retry);
    }

    /** Counts and sizes of the user's live sessions and snapshots, as stored. */
    Uni<Document> counted(String user) {
        List<Bson> pipeline = List.of(
                Aggregates.match(Filters.and(Filters.eq("ownerId", user), Filters.ne("deleted", true))),
                Aggregates.group(null, Accumulators.sum("count", 1), Accumulators.sum("bytes", "$contentSize")));
        return Uni.combine().all().unis(sessions.aggregate(pipeline).collect().first().plug(Throttled::retry),
                snapshots.aggregate(pipeline).collect().first().plug(Throttled::retry)).asTuple()
                .map(both -> new Document("_id", user)
                        .append(Kind.SESSION.field, number(both.getItem1(), "count"))
                        .append(Kind.SNAPSHOT.field, number(both.getItem2(), "count"))
                        .append(BYTES, number(both.getItem1(), "bytes") + number(both.getItem2(), "bytes")));
    }

    private Document remember(String user, Document current) {
        if (lastKnown.size() >= HINTS) {
            lastKnown.clear(); // hints only: start over rather than grow without bound
        }
        lastKnown.put(user, current);
        return current;
    }

    private static long count(Document usage, Kind kind) {
        return number(usage, kind.field);
    }

    private static long bytes(Document usage) {
        return number(usage, BYTES);
    }

    private static long number(Document document, String field) {
        return document != null && document.get(field) instanceof Number n ? n.longValue() : 0L;
    }
}
