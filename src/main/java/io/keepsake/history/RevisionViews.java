package io.keepsake.history;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import io.keepsake.web.KeepsakeApi;
import io.keepsake.web.RawJson;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What the history endpoints return. */
final class RevisionViews {

    private RevisionViews() {
    }

    /**
     * A revision without its content: a list item. {@code replacedAt} is null for the session's
     * current state, which a diff or a read may name too.
     */
    @RegisterForReflection
    @Schema(name = "RevisionMetadata")
    public record Metadata(String sessionId, long version, String author, String title, String description,
            String contentHash, String metadataHash, int contentSize, Instant savedAt, Instant replacedAt) {

        static Metadata of(Revision r) {
            return new Metadata(r.sessionId, r.version, r.author, r.title, r.description, r.contentHash, r.metadataHash,
                    r.contentSize, r.savedAt, r.replacedAt);
        }
    }

    /** A revision with its content, written out as the stored canonical JSON bytes. */
    @RegisterForReflection
    @Schema(name = "Revision")
    public record Full(String sessionId, long version, String author, String title, String description,
            @Schema(ref = KeepsakeApi.JSON_VALUE) RawJson content,
            String contentHash, String metadataHash, int contentSize, Instant savedAt, Instant replacedAt) {

        static Full of(Revision r) {
            return new Full(r.sessionId, r.version, r.author, r.title, r.description, new RawJson(r.canonical), r.contentHash,
                    r.metadataHash, r.contentSize, r.savedAt, r.replacedAt);
        }
    }
}
