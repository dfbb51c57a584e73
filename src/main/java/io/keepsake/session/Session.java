package io.keepsake.session;

import java.time.Instant;
import java.util.List;

import org.bson.codecs.pojo.annotations.BsonId;

import io.keepsake.notice.OutboxEntry;
import io.quarkus.mongodb.panache.common.MongoEntity;

/**
 * A user's editable workbench state as stored. {@code content} holds the canonical JSON text
 * (RFC 8785) of the client's value, so the stored text is exactly what {@code contentHash}
 * hashes; {@code etag} is derived from both hashes and the version and is what conditional
 * writes filter on. A JSON string content also has {@code textHash}, the SHA-256 of its UTF-8
 * text: the hash the original workbench computes and shows. {@code outbox} holds the notices of
 * its latest writes until they are published; a deleted session stays as a tombstone
 * ({@code deleted}, no content) until its last notice is.
 */
@MongoEntity(collection = "sessions")
public class Session {

    @BsonId
    public String id;
    public String ownerId;
    public String title;
    /** Lower-cased title: the key of case-insensitive sorting and paging by title. */
    public String titleKey;
    public String description;
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
}
