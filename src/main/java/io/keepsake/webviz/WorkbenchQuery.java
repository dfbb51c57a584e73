package io.keepsake.webviz;

import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;

import io.keepsake.web.ApiProblem;
import io.keepsake.web.QueryParams;

/**
 * The original workbench's query parameters in Keepsake's terms: its sort names
 * ({@code metadata.updated_at}, {@code snapshot_metadata.created_at}, ...), its date strings
 * (JavaScript's {@code toISOString()}, or a date, or Python's {@code isoformat()}) and its
 * {@code filter_snapshot_deleted}.
 */
final class WorkbenchQuery {

    static final Map<String, String> SESSION_SORTS = Map.of(
            "metadata.updated_at", "updatedAt",
            "metadata.created_at", "createdAt",
            "metadata.title", "title",
            "metadata.title__lower", "title");

    /** A snapshot never changes: updated_at is its creation. */
    static final Map<String, String> SNAPSHOT_SORTS = Map.of(
            "created_at", "createdAt",
            "updated_at", "createdAt",
            "title", "title",
            "title_lower", "title");

    static final Map<String, String> VISIT_SORTS = Map.of(
            "last_visited_at", "lastVisitedAt",
            "visits", "visits",
            "snapshot_metadata.title", "title",
            "snapshot_metadata.title__lower", "title",
            "snapshot_metadata.created_at", "snapshotCreatedAt");

    private WorkbenchQuery() {
    }

    /** Keepsake's name of one of the original's sort fields; null (Keepsake's default order) when none is given. */
    static String sort(String sortBy, Map<String, String> names) {
        if (sortBy == null || sortBy.isBlank()) {
            return null;
        }
        String name = names.get(sortBy);
        if (name == null) {
            throw ApiProblem.invalidField("sort_by", "sort_by must be one of " + String.join(", ",
                    new java.util.TreeSet<>(names.keySet())));
        }
        return name;
    }

    /** An instant with or without offset (UTC if none), or a date (its start, UTC); null when empty. */
    static Instant instant(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        String text = value.trim();
        try {
            return OffsetDateTime.parse(text).toInstant();
        } catch (DateTimeParseException notWithOffset) {
            try {
                return LocalDateTime.parse(text).toInstant(ZoneOffset.UTC);
            } catch (DateTimeParseException notLocal) {
                try {
                    return LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant();
                } catch (DateTimeParseException notADate) {
                    // Keepsake's own rule and message for anything else
                    return QueryParams.instant(parameter, text);
                }
            }
        }
    }

    /**
     * The workbench's "hide deleted snapshots": it sends {@code filter_snapshot_deleted=true} (the
     * original service took {@code false}, "not deleted", for the same thing); either shows live
     * snapshots only. Absent: deleted ones are listed too, marked.
     *
     * @return false for live only, null for all (Keepsake's {@code deleted} filter)
     */
    static Boolean liveOnly(String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        if (value.equalsIgnoreCase("true") || value.equalsIgnoreCase("false")) {
            return Boolean.FALSE;
        }
        throw ApiProblem.invalidField("filter_snapshot_deleted", "filter_snapshot_deleted must be true or false");
    }
}
