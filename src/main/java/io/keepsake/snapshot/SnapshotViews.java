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

    /**
     * Metadata; {@code visits} and {@code uniqueVisitors} only for the owner; {@code sessionVersion}
     * only when made from a session, {@code expiresAt} only when it has an end.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    @Schema(name = "SnapshotMetadata")
    public record Metadata(String id, String ownerId, String title, String description, String contentHash,
            int contentSize, String sourceSessionId,
            @Schema(description = "The version of the session it froze (made from a session only)") Long sessionVersion,
            Instant createdAt,
            @Schema(description = "Its end, if it has one: from then on it answers 410 Gone") Instant expiresAt,
            String shareUrl, Long visits, Long uniqueVisitors) {

        static Metadata of(Snapshot s, String shareUrl) {
            return new Metadata(s.id, s.ownerId, s.title, s.description, s.contentHash, s.contentSize,
                    s.sourceSessionId, s.sessionVersion, s.createdAt, s.expiresAt, shareUrl, null, null);
        }

        Metadata withVisits(long visits, long uniqueVisitors) {
            return new Metadata(id, ownerId, title, description, contentHash, contentSize, sourceSessionId,
                    sessionVersion, createdAt, expiresAt, shareUrl, visits, uniqueVisitors);
        }
    }

    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    @Schema(name = "Snapshot")
    public record Full(String id, String ownerId, String title, String description,
            @Schema(ref = KeepsakeApi.JSON_VALUE) RawJson content,
            String contentHash, int contentSize, String sourceSessionId, Long sessionVersion, Instant createdAt,
            Instant expiresAt, String shareUrl) {

        static Full of(Snapshot s, String shareUrl) {
            return new Full(s.id, s.ownerId, s.title, s.description, new RawJson(s.contentBytes()), s.contentHash, s.contentSize,
                    s.sourceSessionId, s.sessionVersion, s.createdAt, s.expiresAt, shareUrl);
        }
    }
}
