package io.keepsake.accesslog;

import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * A snapshot read by a user, as recorded (or handed to the record-visit task), with what the
 * visitor's log shows of the snapshot.
 */
public record Visit(String visitorId, String snapshotId, String snapshotTitle, String snapshotOwnerId, Instant at,
        String snapshotDescription, Instant snapshotCreatedAt, String snapshotContentHash, String snapshotTextHash) {

    /** A visit that names the snapshot only by title and owner. */
    public Visit(String visitorId, String snapshotId, String snapshotTitle, String snapshotOwnerId, Instant at) {
        this(visitorId, snapshotId, snapshotTitle, snapshotOwnerId, at, null, null, null, null);
    }

    Map<String, String> toPayload() {
        Map<String, String> payload = new HashMap<>();
        payload.put("visitorId", visitorId);
        payload.put("snapshotId", snapshotId);
        payload.put("snapshotTitle", snapshotTitle);
        payload.put("snapshotOwnerId", snapshotOwnerId);
        payload.put("at", at.toString());
        putIfPresent(payload, "snapshotDescription", snapshotDescription);
        putIfPresent(payload, "snapshotCreatedAt", snapshotCreatedAt == null ? null : snapshotCreatedAt.toString());
        putIfPresent(payload, "snapshotContentHash", snapshotContentHash);
        putIfPresent(payload, "snapshotTextHash", snapshotTextHash);
        return payload;
    }

    /** Tasks queued before a field existed lack it: it stays null and the log keeps what it had. */
    static Visit fromPayload(Map<String, String> payload) {
        String createdAt = payload.get("snapshotCreatedAt");
        return new Visit(payload.get("visitorId"), payload.get("snapshotId"), payload.get("snapshotTitle"),
                payload.get("snapshotOwnerId"), Instant.parse(payload.get("at")), payload.get("snapshotDescription"),
                createdAt == null ? null : Instant.parse(createdAt), payload.get("snapshotContentHash"),
                payload.get("snapshotTextHash"));
    }

    private static void putIfPresent(Map<String, String> payload, String key, String value) {
        if (value != null) {
            payload.put(key, value);
        }
    }
}
