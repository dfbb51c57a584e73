package io.keepsake.accesslog;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;

import io.quarkus.mongodb.panache.common.MongoEntity;

/** One visitor's visits to one snapshot; its id is {@code visitorId + ":" + snapshotId}. */
@MongoEntity(collection = "snapshot_access_logs")
public class AccessLog {

    @BsonId
    public String id;
    public String visitorId;
    public String snapshotId;
    public String snapshotTitle;
    /** Lower-cased title: the key of sorting by title. */
    public String snapshotTitleKey;
    public String snapshotOwnerId;
    /** The snapshot's description, creation time and hashes, as seen at the last visit (snapshots never change). */
    public String snapshotDescription;
    public Instant snapshotCreatedAt;
    public String snapshotContentHash;
    public String snapshotTextHash;
    public long visits;
    public Instant firstVisitedAt;
    public Instant lastVisitedAt;
    /** When the last visit that counted happened: the start of the current visit window. */
    public Instant lastCountedAt;
    public boolean snapshotDeleted;
    public Instant snapshotDeletedAt;

    public static String key(String visitorId, String snapshotId) {
        return visitorId + ":" + snapshotId;
    }
}
