package io.keepsake.accesslog;

import java.time.Instant;
import java.util.Map;

/** A snapshot read by a user, as recorded (or handed to the record-visit task). */
public record Visit(String visitorId, String snapshotId, String snapshotTitle, String snapshotOwnerId, Instant at) {

    Map<String, String> toPayload() {
        return Map.of("visitorId", visitorId, "snapshotId", snapshotId, "snapshotTitle", snapshotTitle,
                "snapshotOwnerId", snapshotOwnerId, "at", at.toString());
    }

    static Visit fromPayload(Map<String, String> payload) {
        return new Visit(payload.get("visitorId"), payload.get("snapshotId"), payload.get("snapshotTitle"),
                payload.get("snapshotOwnerId"), Instant.parse(payload.get("at")));
    }
}
