package io.keepsake.history;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;

import io.keepsake.session.Session;
import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A state of a session that a later change replaced, kept whole: its content (the canonical bytes
 * as the session held them), title, description, hashes and when it was saved and replaced. Its id
 * is {@code sessionId + ":" + (version % max-count)}: each session has a fixed ring of places, and
 * a revision takes the place of the one max-count versions before it, so that keeping the last N
 * costs no delete.
 */
@MongoEntity(collection = "revisions")
public class Revision {

    @BsonId
    public String id;
    public String sessionId;
    public String ownerId;
    /** Who made this state: the session's owner, its only writer. */
    public String author;
    public long version;
    public String etag;
    public String title;
    public String description;
    public byte[] canonical;
    public int contentSize;
    public String contentHash;
    public String textHash;
    public String metadataHash;
    /** When this state was saved. */
    public Instant savedAt;
    /** When a later change replaced it: where its time in history starts. */
    public Instant replacedAt;

    /** The place of {@code version} in its session's ring of {@code places}. */
    static String id(String sessionId, long version, int places) {
        return sessionId + ":" + Math.floorMod(version, places);
    }

    /** The revision of a session's state as it was before a change replaced it at {@code replacedAt}. */
    static Revision of(Session before, Instant replacedAt, int places) {
        Revision revision = new Revision();
        revision.id = id(before.id, before.version, places);
        revision.sessionId = before.id;
        revision.ownerId = before.ownerId;
        revision.author = before.ownerId;
        revision.version = before.version;
        revision.etag = before.etag;
        revision.title = before.title;
        revision.description = before.description;
        revision.canonical = before.contentBytes();
        revision.contentSize = before.contentSize;
        revision.contentHash = before.contentHash;
        revision.textHash = before.textHash;
        revision.metadataHash = before.metadataHash;
        revision.savedAt = before.updatedAt;
        revision.replacedAt = replacedAt;
        return revision;
    }

    /** The session's current state shown as a revision (it has not been replaced). */
    static Revision current(Session session) {
        Revision revision = of(session, null, 1);
        revision.id = null;
        return revision;
    }

}
