package io.keepsake.notice;

import java.time.Instant;

import org.bson.Document;
import org.bson.codecs.pojo.annotations.BsonIgnore;

import io.keepsake.store.Ids;

/**
 * A notice as a change writes it: into the outbox of the document it changes, in the same
 * single-document write, so that a change never exists without its notice. The publisher copies
 * it into the user's notice log afterwards and then removes it from the outbox; {@code key} makes
 * that copy happen once, however often it is tried.
 */
public class OutboxEntry {

    public String key;
    public String type;
    public String resourceId;
    public String hash;
    public Long version;
    /** The Keepsake-Client-Id of the request that caused it. */
    public String origin;
    public Instant at;
    /**
     * Made by a write of this instance and never sent to the notice log: a number it meets taken
     * can only be another notice's (its key cannot be stored yet). Never stored.
     */
    @BsonIgnore
    public transient boolean fresh;

    public static OutboxEntry of(String type, String resourceId, String hash, Long version, String origin, Instant at) {
        OutboxEntry entry = new OutboxEntry();
        entry.key = Ids.next();
        entry.type = type;
        entry.resourceId = resourceId;
        entry.hash = hash;
        entry.version = version;
        entry.origin = origin;
        entry.at = at;
        entry.fresh = true;
        return entry;
    }

    /** The entry as pushed onto a document's {@code outbox} array. */
    public Document toDocument() {
        return new Document("key", key).append("type", type).append("resourceId", resourceId).append("hash", hash)
                .append("version", version).append("origin", origin).append("at", at);
    }
}
