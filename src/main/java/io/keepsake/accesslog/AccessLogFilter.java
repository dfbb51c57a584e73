package io.keepsake.accesslog;

import java.time.Instant;
import java.util.List;

/**
 * The filters of {@code GET /snapshot_access_logs}; null means "not filtered", and for
 * {@code deleted} both kinds.
 *
 * @param ownerId only snapshots of this owner
 * @param createdFrom only snapshots created at or after this
 */
public record AccessLogFilter(String title, Boolean deleted, Instant lastVisitedFrom, Instant lastVisitedTo,
        Instant firstVisitedFrom, Instant firstVisitedTo, String ownerId, Instant createdFrom, Instant createdTo) {

    public static final List<String> SORTABLE = List.of("lastVisitedAt", "visits", "title", "firstVisitedAt",
            "snapshotCreatedAt");
    public static final String DEFAULT_SORT = "lastVisitedAt";

    static String sortField(String sortBy) {
        return sortBy.equals("title") ? "snapshotTitleKey" : sortBy;
    }

    static Object sortValue(AccessLog log, String sortBy) {
        return switch (sortBy) {
            case "title" -> log.snapshotTitleKey;
            case "visits" -> log.visits;
            case "firstVisitedAt" -> log.firstVisitedAt;
            case "snapshotCreatedAt" -> log.snapshotCreatedAt;
            default -> log.lastVisitedAt;
        };
    }
}
