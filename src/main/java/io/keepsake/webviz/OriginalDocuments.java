package io.keepsake.webviz;

import java.time.Instant;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;
import java.util.Date;
import java.util.Locale;

import org.bson.Document;
import org.bson.types.Binary;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.keepsake.config.LimitsConfig;
import io.keepsake.accesslog.AccessLog;
import io.keepsake.content.Draft;
import io.keepsake.content.InvalidDraft;
import io.keepsake.store.Ids;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.EntityTags;

/**
 * The original workbench's Cosmos DB documents (its sessions, snapshots and snapshot access logs
 * containers) as Keepsake documents: the same ids, owners, timestamps and visit counts, checked
 * and hashed by Keepsake's own rules ({@link Draft}), with every field the service reads.
 * A document that cannot become one is refused with the reason.
 */
final class OriginalDocuments {

    enum Kind {
        SESSION("sessions"), SNAPSHOT("snapshots"), ACCESS_LOG("snapshot_access_logs");

        final String collection;

        Kind(String collection) {
            this.collection = collection;
        }
    }

    /** Why a document is not imported. */
    static final class Refused extends RuntimeException {
        Refused(String reason) {
            super(reason, null, false, false);
        }
    }

    /** A converted document; {@code note} says what was filled in or differs, or is null. */
    record Converted(Kind kind, String id, Document document, String note) {
    }

    private final LimitsConfig limits;

    OriginalDocuments(LimitsConfig limits) {
        this.limits = limits;
    }

    /** Which container a document came from, by its shape; null if it is none of the three. */
    static Kind kindOf(JsonNode doc) {
        if (doc.hasNonNull("visitor_id") && doc.hasNonNull("snapshot_id")) {
            return Kind.ACCESS_LOG;
        }
        JsonNode metadata = doc.get("metadata");
        if (doc.hasNonNull("owner_id") && metadata != null && metadata.isObject()) {
            return metadata.has("updated_at") || metadata.has("version") ? Kind.SESSION : Kind.SNAPSHOT;
        }
        return null;
    }

    /** A label for reports: the document's id, or what stands for it. */
    static String label(JsonNode doc) {
        JsonNode id = doc.get("id");
        return id != null && id.isTextual() ? id.textValue() : "(no id)";
    }

    Converted convert(JsonNode doc) {
        Kind kind = kindOf(doc);
        if (kind == null) {
            throw new Refused("not a session, snapshot or snapshot access log document");
        }
        return switch (kind) {
            case SESSION -> session(doc);
            case SNAPSHOT -> snapshot(doc);
            case ACCESS_LOG -> accessLog(doc);
        };
    }

    private Converted session(JsonNode doc) {
        String id = id(doc, "id");
        String owner = text(doc, "owner_id", true);
        JsonNode metadata = doc.get("metadata");
        Draft draft = draft(metadata, doc);
        long version = metadata.path("version").canConvertToLong() ? metadata.get("version").longValue() : 1;
        if (version < 1) {
            throw new Refused("metadata.version must be 1 or more, got " + version);
        }
        Document session = stored(id, owner, draft)
                .append("metadataHash", draft.metadataHash())
                .append("version", version)
                .append("etag", EntityTags.of(version, draft.content().sha256(), draft.metadataHash()))
                .append("createdAt", date(time(metadata, "created_at", true)))
                .append("updatedAt", date(time(metadata, "updated_at", true)))
                .append("deleted", false);
        return new Converted(Kind.SESSION, id, session, hashNote(metadata, draft));
    }

    /** What sessions and snapshots both store of a draft, as Keepsake writes it. */
    private static Document stored(String id, String owner, Draft draft) {
        return new Document("_id", id)
                .append("ownerId", owner)
                .append("title", draft.title())
                .append("titleKey", draft.titleKey())
                .append("description", draft.description())
                .append("canonical", new Binary(draft.content().exact()))
                .append("contentSize", draft.content().length())
                .append("contentHash", draft.content().sha256())
                .append("textHash", draft.textHash());
    }

    private Converted snapshot(JsonNode doc) {
        String id = id(doc, "id");
        String owner = text(doc, "owner_id", true);
        JsonNode metadata = doc.get("metadata");
        Draft draft = draft(metadata, doc);
        Document snapshot = stored(id, owner, draft)
                .append("createdAt", date(time(metadata, "created_at", true)))
                .append("deleted", false)
                .append("cleanupQueued", false);
        return new Converted(Kind.SNAPSHOT, id, snapshot, hashNote(metadata, draft));
    }

    private Converted accessLog(JsonNode doc) {
        String visitor = text(doc, "visitor_id", true);
        String snapshotId = id(doc, "snapshot_id");
        JsonNode metadata = doc.get("snapshot_metadata");
        if (metadata == null || !metadata.isObject()) {
            throw new Refused("snapshot_metadata is missing");
        }
        Instant last = time(doc, "last_visited_at", false);
        if (last == null) {
            throw new Refused("no visit recorded (last_visited_at is empty)");
        }
        Instant first = time(doc, "first_visited_at", false);
        String note = null;
        if (first == null) {
            // The original never set it (its first-visit condition never matched).
            first = last;
            note = "first visit unknown; the last visit stands in for it";
        }
        long visits = doc.path("visits").canConvertToLong() ? doc.get("visits").longValue() : 0;
        String title = text(metadata, "title", true);
        String description = text(metadata, "description", false);
        boolean deleted = doc.path("snapshot_deleted").asBoolean(false);
        Instant deletedAt = time(doc, "snapshot_deleted_at", false);
        String key = AccessLog.key(visitor, snapshotId);
        Document log = new Document("_id", key)
                .append("visitorId", visitor)
                .append("snapshotId", snapshotId)
                .append("snapshotTitle", title)
                .append("snapshotTitleKey", title.toLowerCase(Locale.ROOT))
                .append("snapshotOwnerId", text(doc, "snapshot_owner_id", true))
                .append("snapshotDescription", description == null ? "" : description)
                .append("snapshotCreatedAt", date(time(metadata, "created_at", true)))
                .append("snapshotTextHash", text(metadata, "content_hash", false))
                .append("visits", visits)
                .append("firstVisitedAt", date(first))
                .append("lastVisitedAt", date(last))
                .append("lastCountedAt", date(last))
                .append("snapshotDeleted", deleted)
                .append("snapshotDeletedAt", date(deleted && deletedAt == null ? last : deletedAt));
        return new Converted(Kind.ACCESS_LOG, key, log, note);
    }

    /** Title, description and content by Keepsake's rules (content: the original's JSON-encoded string). */
    private Draft draft(JsonNode metadata, JsonNode doc) {
        JsonNode content = doc.get("content");
        if (content == null || !content.isTextual()) {
            throw new Refused("content must be a string");
        }
        try {
            return Draft.of(text(metadata, "title", true), text(metadata, "description", false),
                    TextNode.valueOf(content.textValue()), content.textValue().length(), limits);
        } catch (InvalidDraft invalid) {
            throw new Refused(invalid.getMessage());
        }
    }

    /** The original's hash of the content (metadata.content_hash, once metadata.hash) if it differs from Keepsake's. */
    private static String hashNote(JsonNode metadata, Draft draft) {
        String original = metadata.hasNonNull("content_hash") ? metadata.get("content_hash").asText()
                : metadata.hasNonNull("hash") ? metadata.get("hash").asText() : null;
        return original == null || original.equalsIgnoreCase(draft.textHash()) ? null
                : "its content hash differs from the original's; Keepsake's is kept";
    }

    private static String id(JsonNode doc, String field) {
        String id = text(doc, field, true);
        if (!Ids.isValid(id)) {
            throw new Refused(field + " '" + id + "' is not 8 or 12 characters of A-Z, a-z, 0-9, '_' or '-'");
        }
        return id;
    }

    private static String text(JsonNode doc, String field, boolean required) {
        JsonNode node = doc.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw new Refused(field + " is missing");
            }
            return null;
        }
        if (!node.isTextual() || (required && node.textValue().isBlank())) {
            throw new Refused(field + " must be a non-empty string");
        }
        return node.textValue();
    }

    /** A time as Python's isoformat() wrote it (with or without offset; none means UTC), to the millisecond. */
    static Instant time(JsonNode doc, String field, boolean required) {
        String text = text(doc, field, required);
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text).toInstant().truncatedTo(ChronoUnit.MILLIS);
        } catch (DateTimeParseException withoutOffset) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC).truncatedTo(ChronoUnit.MILLIS);
            } catch (DateTimeParseException e) {
                throw new Refused(field + " '" + text + "' is not an ISO-8601 time");
            }
        }
    }

    private static Date date(Instant instant) {
        return instant == null ? null : Date.from(instant);
    }
}
