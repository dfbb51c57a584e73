package io.keepsake.accesslog;

import java.time.Instant;
import java.util.List;

/** The filters of {@code GET /snapshot_access_logs}; {@code deleted} null means both kinds. */
record AccessLogFilter(String title, Boolean deleted, Instant lastVisitedFrom, Instant lastVisitedTo,
        Instant firstVisitedFrom, Instant firstVisitedTo) {

    static final List<String> SORTABLE = List.of("lastVisitedAt", "visits", "title", "firstVisitedAt");
    static final String DEFAULT_SORT = "lastVisitedAt";

    static String sortField(String sortBy) {
        return sortBy.equals("title") ? "snapshotTitleKey" : sortBy;
    }

    static Object sortValue(AccessLog log, String sortBy) {
        return switch (sortBy) {
            case "title" -> log.snapshotTitleKey;
            case "visits" -> log.visits;
            case "firstVisitedAt" -> log.firstVisitedAt;
            default -> log.lastVisitedAt;
        };
    }
}
