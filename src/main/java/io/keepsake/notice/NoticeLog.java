package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Inject;

import org.bson.Document;
import org.bson.conversions.Bson;
import org.eclipse.microprofile.config.inject.ConfigProperty;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.mongodb.ErrorCategory;
import com.mongodb.MongoBulkWriteException;
import com.mongodb.client.model.BulkWriteOptions;
import com.mongodb.client.model.Filters;
import com.mongodb.client.model.IndexOptions;
import com.mongodb.client.model.Projections;
import com.mongodb.client.model.Sorts;
import com.mongodb.client.model.UpdateOneModel;
import com.mongodb.client.model.UpdateOptions;
import com.mongodb.client.model.Updates;

import io.keepsake.KeepsakeConfig;
import io.keepsake.store.Indexes;
import io.keepsake.store.Queries;
import io.keepsake.store.Throttled;
import io.keepsake.store.Time;
import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoClient;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.quarkus.mongodb.reactive.ReactiveMongoDatabase;
import io.quarkus.runtime.StartupEvent;
import io.smallrye.mutiny.Uni;

/**
 * Each user's notices in the store, numbered 1, 2, 3, ... without gaps. A notice is appended by
 * storing {@code userId:(head + 1)}: that id is the sequencer, so number n + 1 can only be stored
 * once n is, on any instance, and a reader that sees n + 1 can always read n. A store that finds
 * the number taken tells the appender, which learns where the log ends and tries again.
 * <p>
 * Beside the notices, in the same collection, each user has a head document ({@code userId:head},
 * never a notice's id, which ends in digits) saying where the log ends, when it last grew and how
 * far it is swept. An append is one store command: an ordered update of upserts, one per notice
 * (stored only if its number is free, and matched as it is if the same entry was stored there
 * before), then the head's move. The head may lag by an append that stopped half-way, never run
 * ahead; the sweep never deletes past it, so a number once given is never given again.
 * <p>
 * Notices and heads are sharded by {@code userId}: every read and write of one user's log names
 * it. The tailing feed's look at which logs grew lately and the sweep's list of logs go to every
 * shard on purpose.
 */
@ApplicationScoped
public class NoticeLog {

    /** Notices read or sent in one go. */
    public static final int PAGE = 100;
    /** Ids looked at at once when finding where a log ends. */
    private static final int PROBE = 32;
    private static final int MAX_ATTEMPTS = 50;
    /** The field that makes a document a head (an indexed time: heads are found by it). */
    static final String GREW_AT = "grewAt";
    private static final UpdateOptions UPSERT = new UpdateOptions().upsert(true);

    private final ReactiveMongoCollection<Document> notices;
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
        this.retention = retention;
    }

    void createIndexes(@Observes StartupEvent event) {
        // Publishing is once per outbox entry: a second copy of a key is refused.
        Indexes.ensure(notices, Indexes.keys("userId", 1, "key", 1), new IndexOptions().unique(true));
        Indexes.ensure(notices, Indexes.keys("userId", 1, "seq", 1));
        Indexes.ensure(notices, Indexes.keys(GREW_AT, 1));
        // Expiry is the sweep's alone: a TTL delete would not know the head, and could free numbers
        // past it for use again.
        Indexes.drop(notices, "expiresAt_1");
    }

    /**
     * Appends the entry to the user's log, or returns the notice already published from it: a
     * retried or recovered publication stores nothing twice.
     */
    public Uni<Notice> append(String userId, OutboxEntry entry) {
        return append(userId, List.of(entry)).map(stored -> stored.get(0));
    }

    /**
     * Appends the entries in their order, as {@link #append(String, OutboxEntry)} would one by one,
     * in one store command when their numbers are free. Where the command stops (a number another
     * instance took, a key already published), the entry it stopped at is looked up by its key:
     * published before, it is that notice; else its number was taken, and the rest is tried again
     * from where the log ends now.
     */
    public Uni<List<Notice>> append(String userId, List<OutboxEntry> entries) {
        return append(userId, entries, notice -> { });
    }

    /** As {@link #append(String, List)}, handing each notice to {@code stored}, in order, as soon as it is stored. */
    Uni<List<Notice>> append(String userId, List<OutboxEntry> entries, Consumer<Notice> stored) {
        return appendsFrom(userId).onItem().transformToUni(h -> appendAfter(userId, entries, h, stored, 1));
    }

    private Uni<List<Notice>> appendAfter(String userId, List<OutboxEntry> entries, long head, Consumer<Notice> stored,
            int attempt) {
        if (entries.isEmpty()) {
            return Uni.createFrom().item(List.of());
        }
        List<Notice> run = new ArrayList<>(entries.size());
        List<UpdateOneModel<Document>> statements = new ArrayList<>(entries.size() + 1);
        boolean[] fresh = new boolean[entries.size()];
        for (OutboxEntry entry : entries) {
            fresh[run.size()] = entry.fresh;
            entry.fresh = false; // from here on it may be stored, whatever the answer says
            Notice notice = Notice.of(userId, head + 1 + run.size(), entry, retention);
            run.add(notice);
            // Matches only the same entry at the same number; anything else there is a duplicate key.
            statements.add(new UpdateOneModel<>(Filters.and(Filters.eq("_id", notice.id), Filters.eq("userId", userId),
                    Filters.eq("key", notice.key)), Updates.setOnInsert(notice.toDocument()), UPSERT));
        }
        Notice last = run.get(run.size() - 1);
        statements.add(new UpdateOneModel<>(NoticeIds.headDocument(userId),
                Updates.combine(Updates.max("head", last.seq), Updates.max(GREW_AT, Time.now())), UPSERT));
        // Sent again whole if throttled (what it stored before then matches as it is). A write error stops the
        // ordered command there; anything else (the store away) fails the whole append, which its publisher retries.
        return notices.bulkWrite(statements, new BulkWriteOptions().ordered(true)).plug(Throttled::retry).replaceWith(run)
                .invoke(() -> stored(run, stored))
                .onFailure(NoticeLog::stoppedByDuplicate)
                .recoverWithUni(failed -> {
                    int stopped = ((MongoBulkWriteException) failed).getWriteErrors().get(0).getIndex();
                    List<Notice> before = run.subList(0, Math.min(stopped, run.size()));
                    stored(before, stored);
                    if (stopped >= run.size()) {
                        // Every notice is stored; two first heads of a user were upserted at once.
                        return Uni.createFrom().item(run);
                    }
                    if (attempt >= MAX_ATTEMPTS) {
                        return Uni.createFrom().failure(failed);
                    }
                    OutboxEntry entry = entries.get(stopped);
                    List<OutboxEntry> rest = entries.subList(stopped + 1, entries.size());
                    long taken = head + 1 + stopped;
                    if (fresh[stopped]) {
                        // Never sent before, so its key cannot be stored: another instance took the number.
                        // The next one is tried at once, and every fourth miss in a row looks where the log ends.
                        Uni<Long> end = attempt % 4 == 0 ? endOfRun(userId, taken + 1) : Uni.createFrom().item(taken);
                        return end.onItem().transformToUni(next -> appendAfter(userId, entries.subList(stopped, entries.size()),
                                next, stored, attempt + 1)).map(after -> joined(before, null, after));
                    }
                    return byKey(userId, entry.key).onItem().transformToUni(published -> published != null
                            // Published before (a retry, a recovery): it keeps its number; the rest goes on.
                            // (Not a miss: it counts no attempt, however many of a recovered batch were.)
                            ? learned(userId, published.seq).onItem().transformToUni(end -> appendAfter(userId, rest, end, stored,
                                    attempt)).map(after -> joined(before, published, after))
                            // Another instance took the number: look where the log ends now and go on from there.
                            : endOfRun(userId, before.isEmpty() ? head + 1 : before.get(before.size() - 1).seq + 1)
                                    .onItem().transformToUni(end -> appendAfter(userId, entries.subList(stopped, entries.size()),
                                            end, stored, attempt + 1))
                                    .map(after -> joined(before, null, after)));
                });
    }

    /**
     * Whether an ordered write stopped at a duplicate key (which one is never read from the message:
     * stores word it differently, and Cosmos DB names no index).
     */
    private static boolean stoppedByDuplicate(Throwable failed) {
        return failed instanceof MongoBulkWriteException bulk && !bulk.getWriteErrors().isEmpty()
                && bulk.getWriteErrors().get(0).getCategory() == ErrorCategory.DUPLICATE_KEY;
    }

    /** Numbers are stored without gaps: a stored notice means the log reaches at least that far. */
    private Uni<Long> learned(String userId, long stored) {
        knownHeads.asMap().merge(userId, stored, Math::max);
        return appendsFrom(userId);
    }

    private void stored(List<Notice> run, Consumer<Notice> stored) {
        if (!run.isEmpty()) {
            knownHeads.asMap().merge(run.get(0).userId, run.get(run.size() - 1).seq, Math::max);
            run.forEach(stored);
        }
    }

    private static List<Notice> joined(List<Notice> before, Notice one, List<Notice> after) {
        List<Notice> all = new ArrayList<>(before.size() + 1 + after.size());
        all.addAll(before);
        if (one != null) {
            all.add(one);
        }
        all.addAll(after);
        return all;
    }

    /** Where an append starts trying: where this instance last saw the user's log end, else the stored head. */
    private Uni<Long> appendsFrom(String userId) {
        Long known = knownHeads.getIfPresent(userId);
        return known != null ? Uni.createFrom().item(known) : storedHead(userId);
    }

    /** The notice published from an outbox entry, or null. */
    Uni<Notice> byKey(String userId, String key) {
        return Queries.first(notices, Filters.and(Filters.eq("userId", userId), Filters.eq("key", key)), null)
                .map(doc -> doc == null ? null : Notice.fromDocument(doc));
    }

    /**
     * The last number of the unbroken run of notices starting at {@code from}, or from - 1 when
     * {@code from} itself is not stored.
     */
    private Uni<Long> endOfRun(String userId, long from) {
        return notices.find(new FindOptions().filter(NoticeIds.numbered(userId, from, PROBE)).projection(Projections.include("seq")))
                .map(NoticeIds::seq).collect().asSet().plug(Throttled::retry)
                .onItem().transformToUni(found -> {
                    long end = from - 1;
                    while (found.contains(end + 1)) {
                        end++;
                    }
                    return end == from + PROBE - 1 ? endOfRun(userId, end + 1) : Uni.createFrom().item(end);
                });
    }

    /** Where the user's log ends now: the head document, then any notices stored past it. */
    public Uni<Long> head(String userId) {
        return storedHead(userId).onItem().transformToUni(h -> endOfRun(userId, h + 1))
                .invoke(end -> knownHeads.asMap().merge(userId, end, Math::max));
    }

    private Uni<Long> storedHead(String userId) {
        return Queries.first(notices, NoticeIds.headDocument(userId), null).map(doc -> doc == null ? 0L : NoticeIds.headOf(doc));
    }

    /**
     * The user's notices after {@code seq}, oldest first, at most {@code limit}: read by id, so
     * cheap on every store. A run that starts later than seq + 1 means the ones before expired.
     */
    public Uni<List<Notice>> after(String userId, long seq, int limit) {
        return notices.find(NoticeIds.numbered(userId, seq + 1, limit))
                .map(Notice::fromDocument).collect().asList().plug(Throttled::retry)
                .map(found -> {
                    List<Notice> sorted = new ArrayList<>(found);
                    sorted.sort(Comparator.comparingLong(n -> n.seq));
                    return sorted;
                });
    }

    /** The oldest notice still kept after {@code seq} (null if none): where a client that lost some resumes. */
    public Uni<Notice> firstAfter(String userId, long seq) {
        return notices.find(new FindOptions().filter(Filters.and(Filters.eq("userId", userId), Filters.gt("seq", seq)))
                .sort(Sorts.ascending("seq")).limit(1)).map(Notice::fromDocument).collect().first().plug(Throttled::retry);
    }

    /**
     * Heads of the users whose logs grew at or after {@code since}: a deliberate scatter read of the
     * small head documents, made by the tailing feed (stores without change streams) only while
     * users are connected to this instance.
     */
    public Uni<Map<String, Long>> headsSince(Instant since) {
        return notices.find(Filters.gte(GREW_AT, since)).collect()
                .asMap(doc -> doc.getString("userId"), NoticeIds::headOf).plug(Throttled::retry);
    }

    /** Heads of the given users (those who have any). */
    public Uni<Map<String, Long>> heads(Collection<String> users) {
        if (users.isEmpty()) {
            return Uni.createFrom().item(Map.of());
        }
        List<String> ids = new ArrayList<>(new HashSet<>(users));
        Bson byId = Filters.and(Filters.in("_id", ids.stream().map(NoticeIds::headId).toList()), Filters.in("userId", ids));
        return notices.find(byId).collect().asMap(doc -> doc.getString("userId"), NoticeIds::headOf).plug(Throttled::retry);
    }

    /** The raw collection, for the change-stream feed and the sweep. */
    ReactiveMongoCollection<Document> collection() {
        return notices;
    }
}
