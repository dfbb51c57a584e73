package io.keepsake.session;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.RawJson;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the session endpoints return. */
final class SessionViews {

    private SessionViews() {
    }

    /** A session without its content: list items, write responses and the polling target. */
    @RegisterForReflection
    @Schema(name = "SessionMetadata")
    public record Metadata(String id, String ownerId, String title, String description, String contentHash,
            String metadataHash, long version, int contentSize, Instant createdAt, Instant updatedAt) {

        static Metadata of(Session s) {
            return new Metadata(s.id, s.ownerId, s.title, s.description, s.contentHash, s.metadataHash, s.version,
                    s.contentSize, s.createdAt, s.updatedAt);
        }
    }

    /** A session with its content, written out as the stored canonical JSON bytes, as they are. */
    @RegisterForReflection
    @Schema(name = "Session")
    public record Full(String id, String ownerId, String title, String description,
            @Schema(ref = KeepsakeApi.JSON_VALUE) RawJson content,
            String contentHash, String metadataHash, long version, int contentSize, Instant createdAt,
            Instant updatedAt) {

        static Full of(Session s) {
            return new Full(s.id, s.ownerId, s.title, s.description, new RawJson(s.contentBytes()), s.contentHash, s.metadataHash,
                    s.version, s.contentSize, s.createdAt, s.updatedAt);
        }
    }
}
