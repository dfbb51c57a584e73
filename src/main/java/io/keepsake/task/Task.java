package io.keepsake.task;

import java.time.Instant;
import java.util.Map;

import org.bson.codecs.pojo.annotations.BsonId;

import io.quarkus.mongodb.panache.common.MongoEntity;

/** A durable unit of background work, claimed by one runner at a time under a lease. */
@MongoEntity(collection = "tasks")
public class Task {

    public static final String PENDING = "pending";
    public static final String RUNNING = "running";
    public static final String DONE = "done";
    public static final String DEAD = "dead";

    @BsonId
    public String id;
    public String type;
    public Map<String, String> payload;
    public String status;
    /** Runs started so far, including the current one. */
    public int attempts;
    public Instant nextAttemptAt;
    public String leaseOwner;
    public Instant leaseUntil;
    public String lastError;
    public Instant createdAt;
    public Instant updatedAt;
    /** When a done task may be forgotten (TTL index and sweep). */
    public Instant expiresAt;
}
