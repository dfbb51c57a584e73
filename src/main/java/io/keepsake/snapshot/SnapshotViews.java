package io.keepsake.snapshot;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.RawJson;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the snapshot endpoints return. */
final class SnapshotViews {

    private SnapshotViews() {
    }

    /** Metadata; {@code visits} and {@code uniqueVisitors} only for the owner. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    @Schema(name = "SnapshotMetadata")
    public record Metadata(String id, String ownerId, String title, String description, String contentHash,
            int contentSize, String sourceSessionId, Instant createdAt, String shareUrl, Long visits,
            Long uniqueVisitors) {

        static Metadata of(Snapshot s, String shareUrl) {
            return new Metadata(s.id, s.ownerId, s.title, s.description, s.contentHash, s.contentSize,
                    s.sourceSessionId, s.createdAt, shareUrl, null, null);
        }

        Metadata withVisits(long visits, long uniqueVisitors) {
            return new Metadata(id, ownerId, title, description, contentHash, contentSize, sourceSessionId,
                    createdAt, shareUrl, visits, uniqueVisitors);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    @Schema(name = "Snapshot")
    public record Full(String id, String ownerId, String title, String description,
            @Schema(ref = KeepsakeApi.JSON_VALUE) RawJson content,
            String contentHash, int contentSize, String sourceSessionId, Instant createdAt, String shareUrl) {

        static Full of(Snapshot s, String shareUrl) {
            return new Full(s.id, s.ownerId, s.title, s.description, new RawJson(s.contentBytes()), s.contentHash, s.contentSize,
                    s.sourceSessionId, s.createdAt, shareUrl);
        }
    }
}
