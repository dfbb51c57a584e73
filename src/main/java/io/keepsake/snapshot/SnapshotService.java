package io.keepsake.snapshot;

import java.util.function.Function;
import java.util.function.Supplier;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Set;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keepsake.content.Draft;
import io.keepsake.store.Time;
import io.keepsake.KeepsakeConfig;
import io.keepsake.hashing.Canonical;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.accesslog.AccessLogs;
import io.keepsake.account.Writers;
import io.keepsake.accesslog.Visit;
import io.keepsake.notice.Notice;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.notice.OutboxEntry;
import io.keepsake.quota.Quotas;
import io.keepsake.session.Session;
import io.keepsake.session.SessionService;
import io.keepsake.store.Ids;
import io.keepsake.store.Inserts;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.BodyWork;
import io.keepsake.web.EntityTags.Condition;
import io.keepsake.web.JsonBodies;
import io.keepsake.web.Keyed;
import io.keepsake.web.Page;
import io.keepsake.web.PageRequest;
import io.keepsake.web.RateLimiter;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/** The snapshot rules: immutable copies, readable by any user, deletable by their owner. */
@ApplicationScoped
public class SnapshotService {

    /** The session's ETag a snapshot of it must freeze (412 once the session has moved on). */
    private static final String SESSION_ETAG = "sessionEtag";
    private static final Set<String> FROM_SESSION_FIELDS = Set.of("sessionId", SESSION_ETAG, "title", "description",
            Lifetimes.FIELD);

    private final SnapshotRepository snapshots;
    private final SessionService sessions;
    private final AccessLogs accessLogs;
    private final JsonBodies json;
    private final KeepsakeConfig config;
    private final NoticePublisher notices;
    private final ShareLinks links;
    private final BodyWork work;
    private final Quotas quotas;
    private final Lifetimes lifetimes;
    private final Writers writers;

    SnapshotService(SnapshotRepository snapshots, SessionService sessions, AccessLogs accessLogs,
            JsonBodies json, KeepsakeConfig config, NoticePublisher notices,
            ShareLinks links, BodyWork work, Quotas quotas, Lifetimes lifetimes, Writers writers) {
        this.writers = writers;
        this.lifetimes = lifetimes;
        this.work = work;
        this.quotas = quotas;
        this.notices = notices;
        this.links = links;
        this.snapshots = snapshots;
        this.sessions = sessions;
        this.accessLogs = accessLogs;
        this.json = json;
        this.config = config;
    }

    record Read(Snapshot snapshot, boolean notModified) {
    }

    /**
     * A create from a body {title, description?, content, expiresAt?}, or from {sessionId, title?,
     * description?, expiresAt?}, prepared for its Idempotency-Key once the creator is let in
     * ({@link Writers}); it returns the new snapshot's metadata.
     */
    Uni<Keyed<Snapshot>> create(String owner, byte[] body, String origin) {
        return admitted(owner, () -> work.run(body.length, () -> json.envelope(body)).onItem().transformToUni(envelope -> {
            ObjectNode request = envelope.fields();
            Instant end = lifetimes.requested(request, Time.now());
            if (request.has("sessionId")) {
                Draft.onlyFields(envelope.names(), FROM_SESSION_FIELDS);
                JsonNode sessionId = request.get("sessionId");
                if (!sessionId.isTextual()) {
                    throw ApiProblem.invalidField("sessionId", "sessionId must be a string");
                }
                Ids.require(sessionId.textValue());
                for (String field : List.of("title", "description")) {
                    if (request.has(field)) {
                        text(request, field);
                    }
                }
                Condition wanted = request.has(SESSION_ETAG) ? sessionEtag(text(request, SESSION_ETAG)) : null;
                // Keyed by the request as sent, not by the session it reads: a replay after the
                // session was saved again is the same request and gets the first answer.
                return Uni.createFrom().item(Keyed.create("session:" + CanonicalJson.of(request).sha256(),
                        newId -> sessions.own(owner, sessionId.textValue(), wanted).onItem().transformToUni(session ->
                                insertNew(owner, fromSession(session, request), session, newId, origin, end))));
            }
            request.remove(Lifetimes.FIELD);
            Draft draft = Draft.from(request, envelope.content(), body.length, config.limits());
            return Uni.createFrom().item(Keyed.create(draft.content().sha256() + ':' + draft.metadataHash()
                    + (end == null ? "" : ":" + end), newId -> insertNew(owner, draft, null, newId, origin, end)));
        }));
    }

    private <T> Uni<T> admitted(String owner, Supplier<Uni<T>> create) {
        return writers.admitted(owner, RateLimiter.Kind.SNAPSHOT_CREATE, create);
    }

    private Draft fromSession(Session session, JsonNode request) {
        String title = request.has("title") ? text(request, "title") : session.title;
        String description = request.has("description") ? text(request, "description") : session.description;
        // The session's content is canonical and hashed already: copied as it is, never parsed again.
        return Draft.of(title, description, Canonical.stored(session.contentBytes(), session.contentHash),
                session.textHash, config.limits());
    }

    /** A session's ETag as its ETag header gave it: one strong tag. */
    private static Condition sessionEtag(String tag) {
        Condition wanted = Condition.parse(tag);
        if (wanted == null || wanted.any() || wanted.strong().size() != 1 || wanted.weakOrStrong().size() != 1) {
            throw ApiProblem.invalidField(SESSION_ETAG, "sessionEtag must be the session's ETag as its ETag header gave it");
        }
        return wanted;
    }

    private static String text(JsonNode request, String field) {
        JsonNode node = request.get(field);
        if (!node.isTextual()) {
            throw ApiProblem.invalidField(field, field + " must be a string");
        }
        return node.textValue();
    }

    /**
     * Creates a snapshot from a draft under a new id (without an Idempotency-Key), once the creator is
     * let in ({@link Writers}). When
     * {@code creatorVisits}, the creation counts as the creator's visit before this completes, so
     * that their list of visited snapshots shows it at once (the original workbench's rule).
     */
    public Uni<Snapshot> create(String owner, Draft draft, String origin, boolean creatorVisits) {
        Uni<Snapshot> created = admitted(owner, () -> Inserts.underNewId(id -> insertNew(owner, draft, null, id, origin, null)));
        return !creatorVisits ? created : created.call(snapshot -> accessLogs.count(visit(owner, snapshot, snapshot.createdAt)));
    }

    /**
     * Inserts the snapshot under {@code id}, of {@code source} when made from a session, ending at
     * {@code end} (else as the deployment's lifetimes say); if an earlier attempt already did, answers with that one.
     */
    private Uni<Snapshot> insertNew(String owner, Draft draft, Session source, String id, String origin, Instant end) {
        Snapshot snapshot = new Snapshot();
        snapshot.id = id;
        snapshot.ownerId = owner;
        snapshot.title = draft.title();
        snapshot.titleKey = draft.title().toLowerCase(Locale.ROOT);
        snapshot.description = draft.description();
        snapshot.canonical = draft.content().exact();
        snapshot.contentSize = draft.content().length();
        snapshot.contentHash = draft.content().sha256();
        snapshot.textHash = draft.textHash();
        snapshot.sourceSessionId = source == null ? null : source.id;
        snapshot.sessionVersion = source == null ? null : source.version;
        snapshot.createdAt = Time.now();
        snapshot.expiresAt = lifetimes.end(end, snapshot.createdAt);
        snapshot.endDue = snapshot.expiresAt;
        snapshot.outbox = List.of(OutboxEntry.of(Notice.SNAPSHOT_CREATED, id, snapshot.contentHash, null, origin,
                snapshot.createdAt));
        Uni<Snapshot> inserted = notices.watched(snapshots, id, owner, snapshots.insert(snapshot)).replaceWith(snapshot)
                .invoke(created -> notices.publish(snapshots.outbox(created)));
        // An earlier attempt under the same Idempotency-Key may have created it.
        return Inserts.orMadeBefore(quotas.reserved(owner, Quotas.Kind.SNAPSHOT, snapshot.contentSize, inserted),
                () -> snapshots.findMetadata(id)
                        .map(existing -> existing != null && existing.ownerId.equals(owner) ? existing : null));
    }

    /** Every live snapshot of the owner, content included, as a read shows it: a page of {@code pageSize} at a time. */
    public Multi<Object> export(String owner, int pageSize) {
        return snapshots.allWithContent(owner, pageSize).map(s -> SnapshotViews.Full.of(s, shareUrl(s.id)));
    }

    Uni<Page<SnapshotViews.Metadata>> list(String owner, SnapshotFilter filter, PageRequest page) {
        return list(owner, filter, page, s -> SnapshotViews.Metadata.of(s, shareUrl(s.id)));
    }

    /** A page of the owner's snapshots, each shown as {@code view} shows it. */
    public <T> Uni<Page<T>> list(String owner, SnapshotFilter filter, PageRequest page, Function<Snapshot, T> view) {
        return snapshots.list(owner, filter, page, Time.now()).map(found -> Page.of(found, page,
                s -> SnapshotFilter.sortValue(s, page.sortBy()), s -> s.id, view));
    }

    /** Reads a snapshot for any user and counts their visit, without waiting for the count. */
    Uni<Read> read(String visitor, String id, Condition ifNoneMatch) {
        Ids.require(id);
        Uni<Read> read = ifNoneMatch == null
                ? snapshots.find(id).map(found -> new Read(readable(found), false))
                : snapshots.findMetadata(id).map(found -> {
                    readable(found);
                    return new Read(found, ifNoneMatch.matchesWeak(found.etag()));
                }).onItem().transformToUni(r -> r.notModified()
                        ? Uni.createFrom().item(r)
                        : snapshots.find(id).map(found -> new Read(readable(found), false)));
        return read.invoke(r -> accessLogs.countInBackground(visit(visitor, r.snapshot(), Time.now())));
    }

    /** Reads any live snapshot with its content and counts the visitor's visit (without waiting for the count). */
    public Uni<Snapshot> read(String visitor, String id) {
        return read(visitor, id, null).map(Read::snapshot);
    }

    private static Visit visit(String visitor, Snapshot snapshot, Instant at) {
        return new Visit(visitor, snapshot.id, snapshot.title, snapshot.ownerId, at, snapshot.description,
                snapshot.createdAt, snapshot.contentHash, snapshot.textHash);
    }

    /** Metadata for any user; the owner also gets total visits and unique visitors. */
    Uni<SnapshotViews.Metadata> metadata(String caller, String id) {
        Ids.require(id);
        return snapshots.findMetadata(id).map(SnapshotService::readable).onItem().transformToUni(found -> {
            SnapshotViews.Metadata metadata = SnapshotViews.Metadata.of(found, shareUrl(found.id));
            if (!found.ownerId.equals(caller)) {
                return Uni.createFrom().item(metadata);
            }
            return accessLogs.stats(found.id).map(stats -> metadata.withVisits(stats.visits(), stats.uniqueVisitors()));
        });
    }

    /**
     * Deletes the owner's snapshot: a tombstone first, then the access-log task, then the mark
     * that the task is queued. A DELETE that failed between those steps is finished by a retry.
     */
    public Uni<Void> delete(String owner, String id, String origin) {
        Ids.require(id);
        Instant now = Time.now();
        return notices.watched(snapshots, id, owner,
                        snapshots.tombstone(id, owner, now, OutboxEntry.of(Notice.SNAPSHOT_DELETED, id, null, null, origin, now)))
                .onItem().ifNotNull().call(tombstone -> {
                    notices.publish(snapshots.outbox(tombstone));
                    return quotas.release(owner, Quotas.Kind.SNAPSHOT, tombstone.contentSize);
                })
                .onItem().ifNull().switchTo(() -> snapshots.unfinishedTombstone(id, owner))
                .onItem().ifNull().failWith(() -> ApiProblem.notFound("Snapshot"))
                .onItem().transformToUni(tombstone -> accessLogs.snapshotDeleted(id))
                .onItem().transformToUni(queued -> snapshots.cleanupQueued(id));
    }

    /** The {@code reason} of the 410 of a snapshot whose owner's data was erased ({@link Lifetimes#ENDED}: that it ended). */
    static final String ERASED = "erased";

    /** Whether a live snapshot exists (for the share URL, which needs no sign-in): 404 if not, 410 if it has ended. */
    Uni<Void> exists(String id) {
        return snapshots.findMetadata(id).invoke(SnapshotService::readable).replaceWithVoid();
    }

    String shareUrl(String id) {
        return links.shareUrl(id);
    }

    /**
     * The snapshot a read may show: 404 when there is none or its owner deleted it, 410 once it has
     * ended or its owner's data was erased.
     */
    private static Snapshot readable(Snapshot snapshot) {
        if (snapshot != null && snapshot.erased) {
            throw new ApiProblem(410, "Gone", "This snapshot was erased with everything of its owner's").with("reason", ERASED);
        }
        if (snapshot != null && snapshot.ended(Time.now())) {
            throw Lifetimes.ended(snapshot);
        }
        if (snapshot == null || snapshot.deleted) {
            throw ApiProblem.notFound("Snapshot");
        }
        return snapshot;
    }

}
