package io.keepsake.session;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;

import io.keepsake.store.Queries;

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

    /** The store filters of the owner's sessions that match these (tombstones left to the caller). */
    List<Bson> filters(String ownerId) {
        List<Bson> filters = new ArrayList<>();
        filters.add(Filters.eq("ownerId", ownerId));
        if (keyedOnly) {
            filters.add(Filters.exists("key"));
        }
        if (title != null) {
            filters.add(Queries.containsIgnoreCase("title", title));
        }
        if (description != null) {
            filters.add(Queries.containsIgnoreCase("description", description));
        }
        Queries.range(filters, "updatedAt", updatedFrom, updatedTo);
        Queries.range(filters, "createdAt", createdFrom, createdTo);
        return filters;
    }

    static Object sortValue(Session session, String sortBy) {
        return switch (sortBy) {
            case "title" -> session.titleKey;
            case "createdAt" -> session.createdAt;
            default -> session.updatedAt;
        };
    }
}
