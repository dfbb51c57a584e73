package io.keepsake.snapshot;

import java.time.Instant;
import java.util.List;

/** The filters of {@code GET /snapshots}; null means "not filtered". */
public record SnapshotFilter(String title, String description, Instant createdFrom, Instant createdTo) {

    public static final List<String> SORTABLE = List.of("createdAt", "title");
    public static final String DEFAULT_SORT = "createdAt";

    static String sortField(String sortBy) {
        return sortBy.equals("title") ? "titleKey" : sortBy;
    }

    static Object sortValue(Snapshot snapshot, String sortBy) {
        return sortBy.equals("title") ? snapshot.titleKey : snapshot.createdAt;
    }
}
