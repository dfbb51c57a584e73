package io.keepsake.web;

import java.time.Instant;

import org.bson.codecs.pojo.annotations.BsonId;

import io.quarkus.mongodb.panache.common.MongoEntity;

/** A write seen under an Idempotency-Key: running until it completes, then its response. */
@MongoEntity(collection = "idempotency_records")
public class IdempotencyRecord {

    static final String RUNNING = "running";
    static final String DONE = "done";

    /** SHA-256 of user, operation and key: keys are private to a user and an operation. */
    @BsonId
    public String id;
    /** SHA-256 of the request's meaning (canonical content and metadata), to refuse a reused key. */
    public String fingerprint;
    /** Whose key it is: what is kept of a user can be found (and what their writes cost, counted). */
    public String userId;
    public String state;
    /** The id of the resource a create makes, or the token an update marks its write with: fixed when
     * the key is first seen, so a retry after an attempt that died finds what that attempt may have written. */
    public String resourceId;
    /** Token of the attempt holding the key: only it may complete or release the record. */
    public String attempt;
    public int status;
    public String location;
    public String etag;
    public String body;
    public Instant createdAt;
    /** While running: until when the first attempt holds the key. */
    public Instant lockedUntil;
    /** When the record may be forgotten (TTL index and sweep). */
    public Instant expiresAt;
}
