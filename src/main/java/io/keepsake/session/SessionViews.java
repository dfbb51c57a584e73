package io.keepsake.session;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

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
    public record Metadata(String id, @JsonInclude(JsonInclude.Include.NON_NULL)
            @Schema(description = "A keyed state's key (see /persistence/states)") String key, String ownerId, String title, String description, String contentHash,
            String metadataHash, long version, int contentSize, Instant createdAt, Instant updatedAt,
            @JsonInclude(JsonInclude.Include.NON_NULL)
            @Schema(description = "How long it may go unchanged before it is deleted (ISO-8601); absent: for ever")
            String idleLifetime,
            @JsonInclude(JsonInclude.Include.NON_NULL)
            @Schema(description = "When it is deleted unless changed before then: updatedAt + idleLifetime") Instant expiresAt) {

        static Metadata of(Session s) {
            return new Metadata(s.id, s.key, s.ownerId, s.title, s.description, s.contentHash, s.metadataHash, s.version,
                    s.contentSize, s.createdAt, s.updatedAt, s.idleLifetime, s.end());
        }
    }

    /** A session with its content, written out as the stored canonical JSON bytes, as they are. */
    @RegisterForReflection
    @Schema(name = "Session")
    public record Full(String id, @JsonInclude(JsonInclude.Include.NON_NULL) String key, String ownerId, String title, String description,
            @Schema(ref = KeepsakeApi.JSON_VALUE) RawJson content,
            String contentHash, String metadataHash, long version, int contentSize, Instant createdAt,
            Instant updatedAt, @JsonInclude(JsonInclude.Include.NON_NULL) String idleLifetime,
            @JsonInclude(JsonInclude.Include.NON_NULL) Instant expiresAt) {

        static Full of(Session s) {
            return new Full(s.id, s.key, s.ownerId, s.title, s.description, new RawJson(s.contentBytes()), s.contentHash, s.metadataHash,
                    s.version, s.contentSize, s.createdAt, s.updatedAt, s.idleLifetime, s.end());
        }
    }
}
