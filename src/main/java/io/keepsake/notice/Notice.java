package io.keepsake.notice;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;

import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A change a user's clients should hear about. {@code seq} orders one user's notices and is the
 * cursor clients resume from; the id is {@code userId:seq}, so a notice is stored once.
 */
@MongoEntity(collection = "notices")
public class Notice {

    public static final String SESSION_UPDATED = "session.updated";
    public static final String SESSION_DELETED = "session.deleted";
    public static final String SESSION_CONFLICT = "session.conflict";
    public static final String SNAPSHOT_CREATED = "snapshot.created";
    public static final String SNAPSHOT_DELETED = "snapshot.deleted";

    @BsonId
    public String id;
    public String userId;
    public long seq;
    public String type;
    public String resourceId;
    public String hash;
    public Long version;
    /** The Keepsake-Client-Id of the request that caused it, so a tab can skip its own echo. */
    public String origin;
    public Instant at;
    public Instant expiresAt;
}
