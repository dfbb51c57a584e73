package io.keepsake.session;

import java.time.Instant;
import java.util.List;

import io.keepsake.content.Draft;
import io.keepsake.web.ApiProblem;

/**
 * The answer of a keyed write (PUT or PATCH with an {@code Idempotency-Key}), kept in the session
 * it wrote, in the same store command: a retry that finds it gets that answer again, however the
 * session changed since, and nothing can fall between the write and its record. A session keeps
 * the last {@link #KEPT} of them; {@code key} is the key scoped to its user and operation.
 */
public class KeyedAnswer {

    /** Keyed writes remembered per session: an offline queue replayed whole finds its answers. */
    static final int KEPT = 32;

    public String key;
    /** What the request meant: the same key with another meaning is refused. */
    public String fingerprint;
    public long version;
    public String etag;
    public String title;
    public String description;
    public String contentHash;
    public String metadataHash;
    public int contentSize;
    public Instant updatedAt;

    /** The answer of a keyed write that stores {@code draft} as {@code version}, tagged {@code etag}, at {@code now}. */
    static KeyedAnswer of(Key key, long version, String etag, Draft draft, Instant now) {
        KeyedAnswer answer = new KeyedAnswer();
        answer.key = key.id();
        answer.fingerprint = key.fingerprint();
        answer.version = version;
        answer.etag = etag;
        answer.title = draft.title();
        answer.description = draft.description();
        answer.contentHash = draft.content().sha256();
        answer.metadataHash = draft.metadataHash();
        answer.contentSize = draft.content().length();
        answer.updatedAt = now;
        return answer;
    }

    /** A write's Idempotency-Key (scoped to its user and operation) and what the request meant; null without a key. */
    record Key(String id, String fingerprint) {

        static Key of(String id, String fingerprint) {
            return id == null ? null : new Key(id, fingerprint);
        }
    }

    /**
     * The answer the session holds for this keyed write, or null: the first answer again for the
     * same request, a 422 for another request under the same key.
     */
    static Session find(Session current, Key key) {
        List<KeyedAnswer> answers = current.answers;
        if (key == null || answers == null) {
            return null;
        }
        for (KeyedAnswer answer : answers) {
            if (key.id().equals(answer.key)) {
                if (!answer.fingerprint.equals(key.fingerprint())) {
                    throw ApiProblem.unprocessable("This Idempotency-Key was already used for a different request");
                }
                return answer.session(current);
            }
        }
        return null;
    }

    /** The session's metadata as this write answered it. */
    private Session session(Session current) {
        Session then = new Session();
        then.id = current.id;
        then.ownerId = current.ownerId;
        then.key = current.key;
        then.createdAt = current.createdAt;
        then.version = version;
        then.etag = etag;
        then.title = title;
        then.description = description;
        then.contentHash = contentHash;
        then.metadataHash = metadataHash;
        then.contentSize = contentSize;
        then.updatedAt = updatedAt;
        return then;
    }
}
