package io.keepsake.session;

import java.time.Instant;
import java.util.List;

/** The filters of {@code GET /sessions}; null means "not filtered". */
public record SessionFilter(String title, String description, Instant updatedFrom, Instant updatedTo, Instant createdFrom,
        Instant createdTo, boolean keyedOnly) {

    /** Every session matching these, keyed states or not. */
    public SessionFilter(String title, String description, Instant updatedFrom, Instant updatedTo, Instant createdFrom,
            Instant createdTo) {
        this(title, description, updatedFrom, updatedTo, createdFrom, createdTo, false);
    }

    /** Keyed states only (see {@code /persistence/states}). */
    static SessionFilter states() {
        return new SessionFilter(null, null, null, null, null, null, true);
    }

    public static final List<String> SORTABLE = List.of("updatedAt", "createdAt", "title");
    public static final String DEFAULT_SORT = "updatedAt";

    /** The stored field a public sort name orders by (titles sort case-insensitively). */
    static String sortField(String sortBy) {
        return sortBy.equals("title") ? "titleKey" : sortBy;
    }

    static Object sortValue(Session session, String sortBy) {
        return switch (sortBy) {
            case "title" -> session.titleKey;
            case "createdAt" -> session.createdAt;
            default -> session.updatedAt;
        };
    }
}
