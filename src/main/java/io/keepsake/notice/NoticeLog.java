package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.client.model.Filters;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.InsertManyOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Indexes;
import io.keepsake.store.StoreErrors;
import io.quarkus.logging.Log;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;

/**
 * Each user's notices in the store, numbered 1, 2, 3, ... without gaps. A notice is appended by
 * inserting {@code userId:(head + 1)}: the insert is the sequencer, so number n + 1 can only be
 * stored once n is, on any instance, and a reader that sees n + 1 can always read n. An insert
 * that finds its number taken learns the new head and tries the next one. A small heads document
 * per user ({@code notice_heads}) says where each log ends and when it last grew; it may lag by a
 * notice or two, never run ahead.
 * <p>
 * Notices are sharded by {@code userId} and heads by {@code _id} (the user id): every read and
 * write of one user's log names it (a notice's id {@code userId:n} holds it too, but a sharded store
 * routes by the key field). The tailing feed's look at which logs grew lately and the sweep of
 * expired notices go to every shard on purpose.
 */
@ApplicationScoped
public class NoticeLog {

    /** Notices read or sent in one go. */
    public static final int PAGE = 100;
    /** Ids looked at at once when finding where a log ends. */
    private static final int PROBE = 32;
    private static final int MAX_ATTEMPTS = 50;
    /** Ids deleted (and then looked up) at once by the sweep. */
    static final int SWEEP_BATCH = 100;

    private final ReactiveMongoCollection<Document> notices;
    private final ReactiveMongoCollection<Document> heads;
    private final Duration retention;
    /** Where this instance last saw each user's log end: where an append starts trying. */
    private final Cache<String, Long> knownHeads = Caffeine.newBuilder().maximumSize(100_000).build();

    @Inject
    public NoticeLog(ReactiveMongoClient client, KeepsakeConfig config,
            @ConfigProperty(name = "quarkus.mongodb.database") String database) {
        this(client.getDatabase(database), config.notices().retention());
    }

    /** A log on a database of one's own (another instance's view, in tests). */
    public NoticeLog(ReactiveMongoDatabase database, Duration retention) {
        this.notices = database.getCollection("notices");
        this.heads = database.getCollection("notice_heads");
        this.retention = retention;
    }

    void createIndexes(@Observes StartupEvent event) {
        // Publishing is once per outbox entry: a second copy of a key is refused.
        Indexes.ensure(notices, Indexes.keys("userId", 1, "key", 1), new IndexOptions().unique(true));
        Indexes.ensure(notices, Indexes.keys("userId", 1, "seq", 1));
        Indexes.ensure(notices, Indexes.keys("expiresAt", 1), new IndexOptions().expireAfter(0L, TimeUnit.SECONDS));
        Indexes.ensure(heads, Indexes.keys("at", 1));
    }

    /**
     * Appends the entry to the user's log, or returns the notice already published from it: a
     * retried or recovered publication stores nothing twice.
     */
    public Uni<Notice> append(String userId, OutboxEntry entry) {
        return append(userId, entry, notice -> { });
    }

    /** As {@link #append(String, OutboxEntry)}, handing the notice to {@code stored} as soon as it is stored. */
    Uni<Notice> append(String userId, OutboxEntry entry, Consumer<Notice> stored) {
        return appendsFrom(userId).onItem().transformToUni(h -> insertAfter(userId, entry, h, 1)).invoke(stored)
                .call(this::recordHead);
    }

    /**
     * Appends the entries in their order, as {@link #append(String, OutboxEntry)} would one by one,
     * in one ordered insert when their numbers are free. Where the insert stops (a number another
     * instance took, a key already published), the entry it stopped at goes the one-by-one way and
     * the rest follow as a batch again.
     */
    public Uni<List<Notice>> append(String userId, List<OutboxEntry> entries) {
        return append(userId, entries, notice -> { });
    }

    /**
     * As {@link #append(String, List)}, handing each notice to {@code stored}, in order, as soon as
     * it is stored: before the heads document moves (a hint for other instances' feeds), so that
     * this instance's listeners hear it one store round trip sooner.
     */
    Uni<List<Notice>> append(String userId, List<OutboxEntry> entries, Consumer<Notice> stored) {
        if (entries.size() == 1) {
            return append(userId, entries.get(0), stored).map(List::of);
        }
        return appendsFrom(userId).onItem().transformToUni(h -> {
            List<Notice> run = new ArrayList<>(entries.size());
            List<Document> documents = new ArrayList<>(entries.size());
            for (OutboxEntry entry : entries) {
                Notice notice = Notice.of(userId, h + 1 + run.size(), entry, retention);
                run.add(notice);
                documents.add(notice.toDocument());
            }
            return notices.insertMany(documents, new InsertManyOptions().ordered(true)).replaceWith(run)
                    .invoke(() -> run.forEach(stored))
                    .call(() -> recordHead(run.get(run.size() - 1)))
                    // A write error stops the ordered insert there; anything else (the store away) fails
                    // the whole append, which its publisher retries.
                    .onFailure(failed -> failed instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty())
                    .recoverWithUni(failed -> {
                        int stopped = ((MongoBulkWriteException) failed).getWriteErrors().get(0).getIndex();
                        List<Notice> before = run.subList(0, stopped);
                        before.forEach(stored);
                        Uni<Void> recorded = before.isEmpty() ? Uni.createFrom().voidItem()
                                : recordHead(before.get(before.size() - 1));
                        List<OutboxEntry> rest = entries.subList(stopped + 1, entries.size());
                        return recorded.chain(() -> append(userId, entries.get(stopped), stored))
                                .chain(one -> (rest.isEmpty() ? Uni.createFrom().item(List.<Notice>of())
                                        : append(userId, rest, stored))
                                        .map(after -> {
                                            List<Notice> all = new ArrayList<>(before);
                                            all.add(one);
                                            all.addAll(after);
                                            return all;
                                        }));
                    });
        });
    }

    /** Where an append starts trying: where this instance last saw the user's log end, else the stored head. */
    private Uni<Long> appendsFrom(String userId) {
        Long known = knownHeads.getIfPresent(userId);
        return known != null ? Uni.createFrom().item(known) : storedHead(userId);
    }

    private Uni<Notice> insertAfter(String userId, OutboxEntry entry, long head, int attempt) {
        Notice notice = Notice.of(userId, head + 1, entry, retention);
        return notices.insertOne(notice.toDocument()).replaceWith(notice)
                .onFailure(StoreErrors::isDuplicateKey).recoverWithUni(taken -> {
                    if (!numberTaken(taken)) {
                        // The entry's key is in the log already: published before (a retry, a recovery).
                        return byKey(userId, entry.key).onItem().ifNull().failWith(() -> taken);
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                        return Uni.createFrom().failure(taken);
                    }
                    // Another instance took that number: try the next, and after a few misses in a row
                    // look where the log ends now rather than walk there one number at a time.
                    Uni<Long> next = attempt % 4 == 0 ? endOfRun(userId, head + 2) : Uni.createFrom().item(head + 1);
                    return next.onItem().transformToUni(end -> insertAfter(userId, entry, end, attempt + 1));
                });
    }

    /** A duplicate of the notice's id, not of its outbox key. */
    private static boolean numberTaken(Throwable duplicate) {
        String message = String.valueOf(duplicate.getMessage());
        return message.contains("_id_") || !message.contains("key_1");
    }

    /** The notice published from an outbox entry, or null. */
    Uni<Notice> byKey(String userId, String key) {
        return notices.find(Filters.and(Filters.eq("userId", userId), Filters.eq("key", key))).collect().first()
                .map(doc -> doc == null ? null : Notice.fromDocument(doc));
    }

    /** Moves the user's heads document forward to this notice (it never moves back). */
    private Uni<Void> recordHead(Notice notice) {
        knownHeads.asMap().merge(notice.userId, notice.seq, Math::max);
        return heads.updateOne(Filters.eq("_id", notice.userId),
                Updates.combine(Updates.max("seq", notice.seq), Updates.max("at", notice.at)),
                new UpdateOptions().upsert(true))
                // Two first notices of a user upserting at once: the loser's update is the winner's.
                .onFailure(StoreErrors::isDuplicateKey).retry().atMost(1)
                .replaceWithVoid();
    }

    /**
     * The last number of the unbroken run of notices starting at {@code from}, or from - 1 when
     * {@code from} itself is not stored.
     */
    private Uni<Long> endOfRun(String userId, long from) {
        return notices.find(new FindOptions().filter(numbered(userId, from, PROBE)).projection(Projections.include("seq")))
                .map(NoticeLog::seq).collect().asSet()
                .onItem().transformToUni(found -> {
                    long end = from - 1;
                    while (found.contains(end + 1)) {
                        end++;
                    }
                    return end == from + PROBE - 1 ? endOfRun(userId, end + 1) : Uni.createFrom().item(end);
                });
    }

    /** Where the user's log ends now: the heads document, then any notices stored past it. */
    public Uni<Long> head(String userId) {
        return storedHead(userId).onItem().transformToUni(h -> endOfRun(userId, h + 1))
                .invoke(end -> knownHeads.asMap().merge(userId, end, Math::max));
    }

    private Uni<Long> storedHead(String userId) {
        return heads.find(Filters.eq("_id", userId)).collect().first()
                .map(doc -> doc == null ? 0L : seq(doc));
    }

    /**
     * The user's notices after {@code seq}, oldest first, at most {@code limit}: read by id, so
     * cheap on every store. A run that starts later than seq + 1 means the ones before expired.
     */
    public Uni<List<Notice>> after(String userId, long seq, int limit) {
        return notices.find(numbered(userId, seq + 1, limit))
                .map(Notice::fromDocument).collect().asList()
                .map(found -> {
                    List<Notice> sorted = new ArrayList<>(found);
                    sorted.sort(Comparator.comparingLong(n -> n.seq));
                    return sorted;
                });
    }

    /** The oldest notice still kept after {@code seq} (null if none): where a client that lost some resumes. */
    public Uni<Notice> firstAfter(String userId, long seq) {
        return notices.find(new FindOptions().filter(Filters.and(Filters.eq("userId", userId), Filters.gt("seq", seq)))
                .sort(Sorts.ascending("seq")).limit(1))
                .map(Notice::fromDocument).collect().first();
    }

    /**
     * Heads of the users whose logs grew at or after {@code since}: a deliberate scatter read of the
     * small heads documents, made by the tailing feed (stores without change streams) only while
     * users are connected to this instance.
     */
    public Uni<Map<String, Long>> headsSince(Instant since) {
        return heads.find(Filters.gte("at", since)).collect()
                .asMap(doc -> doc.getString("_id"), NoticeLog::seq);
    }

    /** Heads of the given users (those who have any). */
    public Uni<Map<String, Long>> heads(Collection<String> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<String> ids = new ArrayList<>(new HashSet<>(users));
        return heads.find(Filters.in("_id", ids)).collect()
                .asMap(doc -> doc.getString("_id"), NoticeLog::seq);
    }

    /** The raw collection, for the change-stream feed. */
    ReactiveMongoCollection<Document> collection() {
        return notices;
    }

    /**
     * Forgets expired notices (a TTL index does the same on stores that enforce one). Each user's log
     * is swept from its oldest notice still kept, by id, a batch at a time: no scan of the collection,
     * which on the embedded store would hold up every write while it ran (about a second per 13,000
     * notices). A notice expires a retention period after its change, and changes are numbered in
     * about the order they happen, so a log's expired notices are its first ones: its sweep stops at
     * the first one still kept (an expired one numbered after it goes at a later sweep). How far a
     * log is gone is kept in its heads document ({@code swept}).
     */
    @Scheduled(every = "10m", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    public Uni<Void> sweep() {
        Instant now = Instant.now();
        return heads.find().select().where(head -> swept(head) < seq(head))
                .onItem().transformToUniAndConcatenate(head -> sweep(head.getString("_id"), swept(head) + 1, seq(head), now))
                .collect().last().replaceWithVoid()
                .onFailure().invoke(error -> Log.warnf("Notice sweep failed: %s", error.getMessage()))
                .onFailure().recoverWithNull().replaceWithVoid();
    }

    /** A notice's number, or a heads document's last one. */
    private static long seq(Document doc) {
        return ((Number) doc.get("seq")).longValue();
    }

    /** The user's notices numbered {@code from} to {@code from + count - 1}: read by id, with the shard key. */
    private static Bson numbered(String userId, long from, int count) {
        List<String> ids = new ArrayList<>(count);
        for (long seq = from; seq < from + count; seq++) {
            ids.add(Notice.id(userId, seq));
        }
        return Filters.and(Filters.in("_id", ids), Filters.eq("userId", userId));
    }

    private static long swept(Document head) {
        return head.get("swept") instanceof Number n ? n.longValue() : 0L;
    }

    /** Deletes the user's expired notices numbered {@code from} on, up to {@code head}, a batch at a time. */
    private Uni<Void> sweep(String userId, long from, long head, Instant now) {
        // Read first: most sweeps of a log find nothing expired, and then write nothing.
        return notices.find(new FindOptions().filter(numbered(userId, from, SWEEP_BATCH))
                        .projection(Projections.include("seq", "expiresAt")))
                .collect().asList()
                .chain(found -> {
                    List<String> expired = new ArrayList<>();
                    long firstKept = from + SWEEP_BATCH;
                    for (Document notice : found) {
                        Date expires = notice.getDate("expiresAt");
                        if (expires != null && expires.toInstant().isBefore(now)) {
                            expired.add(notice.getString("_id"));
                        } else {
                            firstKept = Math.min(firstKept, seq(notice));
                        }
                    }
                    // Everything numbered before the first notice kept is gone once these are deleted.
                    long gone = Math.min(head, firstKept - 1);
                    boolean more = firstKept == from + SWEEP_BATCH && from + SWEEP_BATCH <= head;
                    Uni<Void> deleted = expired.isEmpty() ? Uni.createFrom().voidItem()
                            : notices.deleteMany(Filters.and(Filters.in("_id", expired), Filters.eq("userId", userId),
                                    Filters.lt("expiresAt", now))).replaceWithVoid();
                    Uni<Void> recorded = gone < from ? deleted
                            : deleted.chain(() -> heads.updateOne(Filters.eq("_id", userId), Updates.max("swept", gone)))
                                    .replaceWithVoid();
                    return more ? recorded.chain(() -> sweep(userId, from + SWEEP_BATCH, head, now)) : recorded;
                });
    }
}
