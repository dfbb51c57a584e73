package io.keepsake.notice;

import java.time.Duration;
import java.time.Instant;
import java.util.Date;

import org.bson.Document;

/**
 * A change a user's clients should hear about, as kept in the user's notice log. {@code seq}
 * numbers one user's notices 1, 2, 3, ... without gaps: it is the cursor clients resume from.
 * The id is {@code userId:seq}, so that a notice is stored once and a run of them is read by id.
 */
public final class Notice {

    public static final String SESSION_UPDATED = "session.updated";
    public static final String SESSION_DELETED = "session.deleted";
    /** A session that went unchanged for its idle lifetime was deleted. */
    public static final String SESSION_EXPIRED = "session.expired";
    public static final String SESSION_CONFLICT = "session.conflict";
    public static final String SNAPSHOT_CREATED = "snapshot.created";
    public static final String SNAPSHOT_DELETED = "snapshot.deleted";

    public final String id;
    public final String userId;
    public final long seq;
    /** The outbox entry it was published from: a notice is published once per key. */
    public final String key;
    public final String type;
    public final String resourceId;
    public final String hash;
    public final Long version;
    /** The Keepsake-Client-Id of the request that caused it, so a tab can skip its own echo. */
    public final String origin;
    public final Instant at;
    public final Instant expiresAt;

    Notice(String userId, long seq, String key, String type, String resourceId, String hash, Long version,
            String origin, Instant at, Instant expiresAt) {
        this.id = id(userId, seq);
        this.userId = userId;
        this.seq = seq;
        this.key = key;
        this.type = type;
        this.resourceId = resourceId;
        this.hash = hash;
        this.version = version;
        this.origin = origin;
        this.at = at;
        this.expiresAt = expiresAt;
    }

    static Notice of(String userId, long seq, OutboxEntry entry, Duration retention) {
        return new Notice(userId, seq, entry.key, entry.type, entry.resourceId, entry.hash, entry.version, entry.origin,
                entry.at, entry.at.plus(retention));
    }

    static String id(String userId, long seq) {
        return userId + ':' + seq;
    }

    Document toDocument() {
        return new Document("_id", id).append("userId", userId).append("seq", seq).append("key", key)
                .append("type", type).append("resourceId", resourceId).append("hash", hash).append("version", version)
                .append("origin", origin).append("at", at).append("expiresAt", expiresAt);
    }

    static Notice fromDocument(Document doc) {
        Object version = doc.get("version");
        Date expires = doc.getDate("expiresAt");
        return new Notice(doc.getString("userId"), ((Number) doc.get("seq")).longValue(), doc.getString("key"),
                doc.getString("type"), doc.getString("resourceId"), doc.getString("hash"),
                version == null ? null : ((Number) version).longValue(), doc.getString("origin"),
                doc.getDate("at").toInstant(), expires == null ? null : expires.toInstant());
    }
}
