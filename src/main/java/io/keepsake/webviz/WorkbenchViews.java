package io.keepsake.webviz;

import java.time.Instant;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonRawValue;

import io.keepsake.accesslog.AccessLog;
import io.keepsake.session.Session;
import io.keepsake.snapshot.Snapshot;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * What the original workbench reads, field for field: nested {@code {metadata, content}} reads,
 * content as a JSON-encoded string, and as {@code contentHash} the SHA-256 of that string's UTF-8
 * bytes. Times are ISO-8601 strings.
 */
final class WorkbenchViews {

    private WorkbenchViews() {
    }

    @RegisterForReflection
    @Schema(name = "WorkbenchSessionMetadata")
    record SessionMetadata(String id, String ownerId, String title, String description, String createdAt,
            String updatedAt, long version, String contentHash) {

        static SessionMetadata of(Session s) {
            return new SessionMetadata(s.id, s.ownerId, s.title, s.description, text(s.createdAt), text(s.updatedAt),
                    s.version, hashOfText(s.textHash, s.contentHash));
        }
    }

    /** @param content the content string as a JSON string literal, written as it is */
    @RegisterForReflection
    @Schema(name = "WorkbenchSession")
    record FullSession(SessionMetadata metadata, @JsonRawValue String content) {
    }

    @RegisterForReflection
    @Schema(name = "WorkbenchSnapshotMetadata")
    record SnapshotMetadata(String id, String ownerId, String title, String description, String createdAt,
            String contentHash) {

        static SnapshotMetadata of(Snapshot s) {
            return new SnapshotMetadata(s.id, s.ownerId, s.title, s.description, text(s.createdAt),
                    hashOfText(s.textHash, s.contentHash));
        }

        static SnapshotMetadata of(AccessLog log) {
            return new SnapshotMetadata(log.snapshotId, log.snapshotOwnerId, log.snapshotTitle, log.snapshotDescription,
                    text(log.snapshotCreatedAt), hashOfText(log.snapshotTextHash, log.snapshotContentHash));
        }
    }

    @RegisterForReflection
    @Schema(name = "WorkbenchSnapshot")
    record FullSnapshot(SnapshotMetadata metadata, @JsonRawValue String content) {
    }

    @RegisterForReflection
    @Schema(name = "WorkbenchVisitLog")
    record VisitLog(String visitorId, String snapshotId, long visits, String firstVisitedAt, String lastVisitedAt,
            boolean snapshotDeleted, SnapshotMetadata snapshotMetadata) {

        static VisitLog of(AccessLog log) {
            return new VisitLog(log.visitorId, log.snapshotId, log.visits, text(log.firstVisitedAt),
                    text(log.lastVisitedAt), log.snapshotDeleted, SnapshotMetadata.of(log));
        }
    }

    /** A new session or snapshot as the workbench sends it: read by {@link WorkbenchBodies}, described for the API. */
    @Schema(name = "WorkbenchDraft", requiredProperties = {"title", "content"})
    record DraftBody(@Schema(minLength = 1, maxLength = 50) String title,
            @Schema(maxLength = 250, nullable = true) String description,
            @Schema(description = "The workbench state, JSON-encoded") String content) {
    }

    /** A save (with content) or a change of title and description (without), as the workbench sends it. */
    @Schema(name = "WorkbenchChange")
    record ChangeBody(@Schema(minLength = 1, maxLength = 50, nullable = true) String title,
            @Schema(maxLength = 250, nullable = true) String description,
            @Schema(description = "The workbench state, JSON-encoded; without it, a change of title and description",
                    nullable = true) String content) {
    }

    /** The original's error body: {@code {"error": {"type", "message", "service"}}}. */
    @RegisterForReflection
    record ErrorBody(Error error) {

        @RegisterForReflection
        record Error(String type, String message, String service) {
        }
    }

    /**
     * The hash the workbench compares with its own: of the content string's UTF-8 text. Content
     * that is not a string is shown as its canonical text, whose hash is the content hash.
     */
    static String hashOfText(String textHash, String contentHash) {
        return textHash != null ? textHash : contentHash;
    }

    private static String text(Instant instant) {
        return instant == null ? null : instant.toString();
    }
}
