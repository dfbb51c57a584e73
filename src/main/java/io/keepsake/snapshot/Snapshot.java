package io.keepsake.snapshot;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;

import io.keepsake.notice.OutboxEntry;
import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * An immutable copy of workbench state, shared by URL. Deleting one leaves a small tombstone
 * (content removed, {@code deleted} set) until the access-log task is safely queued, so that a
 * retried DELETE can finish the job instead of answering 404.
 */
@MongoEntity(collection = "snapshots")
public class Snapshot {

    @BsonId
    public String id;
    public String ownerId;
    public String title;
    public String titleKey;
    public String description;
    /** The UTF-8 bytes of the canonical content (see Session). */
    public byte[] canonical;
    /** The canonical text as snapshots stored before {@code canonical} were kept (read, never written). */
    public String content;
    public int contentSize;
    public String contentHash;
    /** SHA-256 of the content's UTF-8 text when the content is a JSON string; absent otherwise. */
    public String textHash;
    public String sourceSessionId;
    /** The version of the session it froze; absent for a snapshot made from a body. */
    public Long sessionVersion;
    public Instant createdAt;
    /** Its end, if it has one: from then on it answers 410 Gone. */
    public Instant expiresAt;
    /** Its end while the sweep has yet to carry it out (drop the content, mark the logs); unset after. */
    public Instant endDue;
    public boolean deleted;
    public Instant deletedAt;
    /** Its owner's data was erased: only this tombstone (its id) is left, and it answers 410 Gone. */
    public boolean erased;
    /** Set once the deletion's access-log task is queued. */
    public boolean cleanupQueued;
    /** Notices of its creation and deletion, until they are published. */
    public List<OutboxEntry> outbox;

    public byte[] contentBytes() {
        return canonical != null ? canonical : content.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Whether it has ended by {@code now}: its end has come, and it was not deleted by its owner
     * before then (a deleted snapshot answers as deleted, an ended one as gone).
     */
    boolean ended(Instant now) {
        if (expiresAt == null) {
            return false;
        }
        return deleted ? deletedAt != null && !deletedAt.isBefore(expiresAt) : !now.isBefore(expiresAt);
    }

    String etag() {
        return "\"" + contentHash + "\"";
    }
}
