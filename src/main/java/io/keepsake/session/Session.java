package io.keepsake.session;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;

import io.keepsake.notice.OutboxEntry;
import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A user's editable workbench state as stored. {@code canonical} holds the UTF-8 bytes of the
 * canonical JSON text (RFC 8785) of the client's value, so the stored bytes are exactly what
 * {@code contentHash} hashes and what a read writes out; {@code etag} is derived from both hashes
 * and the version and is what conditional writes filter on. A JSON string content also has
 * {@code textHash}, the SHA-256 of its UTF-8 text: the hash the original workbench computes and
 * shows. {@code outbox} holds the notices of its latest writes until they are published; a deleted
 * session stays as a tombstone ({@code deleted}, no content) until its last notice is.
 */
@MongoEntity(collection = "sessions")
public class Session {

    @BsonId
    public String id;
    public String ownerId;
    /** The app's own key of a keyed state ({@code /persistence/states/{key}}); null for other sessions. */
    public String key;
    public String title;
    /** Lower-cased title: the key of case-insensitive sorting and paging by title. */
    public String titleKey;
    public String description;
    public byte[] canonical;
    /** The canonical text as sessions stored before {@code canonical} were kept (read, never written). */
    public String content;
    public int contentSize;
    public String contentHash;
    /** SHA-256 of the content's UTF-8 text when the content is a JSON string; absent otherwise. */
    public String textHash;
    public String metadataHash;
    public long version;
    public String etag;
    public Instant createdAt;
    public Instant updatedAt;
    public List<OutboxEntry> outbox;
    public boolean deleted;
    /** How long it may go unchanged before it is deleted (ISO-8601), or null. */
    public String idleLifetime;
    /**
     * When it ends if not changed before: a hint for the sweep, which checks
     * {@code updatedAt + idleLifetime} itself (a write that does not know the lifetime leaves it).
     */
    public Instant expiresAt;

    /** When it ends if not changed before then (null: never). */
    public Instant end() {
        return IdleLifetime.end(idleLifetime, updatedAt);
    }

    /** The canonical content's UTF-8 bytes. */
    public byte[] contentBytes() {
        return canonical != null ? canonical : content.getBytes(StandardCharsets.UTF_8);
    }
    /** The answers of its latest keyed writes, oldest first (see {@link KeyedAnswer}). */
    public List<KeyedAnswer> answers;

    /** A copy of its metadata (without outbox and answers) with {@code canonical} as its content. */
    Session withContent(byte[] canonical) {
        Session state = new Session();
        state.id = id;
        state.ownerId = ownerId;
        state.key = key;
        state.title = title;
        state.titleKey = titleKey;
        state.description = description;
        state.canonical = canonical;
        state.contentSize = contentSize;
        state.contentHash = contentHash;
        state.textHash = textHash;
        state.metadataHash = metadataHash;
        state.version = version;
        state.etag = etag;
        state.createdAt = createdAt;
        state.updatedAt = updatedAt;
        state.idleLifetime = idleLifetime;
        state.expiresAt = expiresAt;
        return state;
    }
}
