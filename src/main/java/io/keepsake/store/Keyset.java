package io.keepsake.store;

import java.util.List;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

/** Keyset paging on (field, _id): the sort, and the filter for "strictly after this item". */
public final class Keyset {

    private Keyset() {
    }

    public static Bson sort(String field, boolean ascending) {
        return ascending ? Sorts.ascending(field, "_id") : Sorts.descending(field, "_id");
    }

    public static Bson after(String field, boolean ascending, Object value, String id) {
        return ascending
                ? Filters.or(Filters.gt(field, value), Filters.and(Filters.eq(field, value), Filters.gt("_id", id)))
                : Filters.or(Filters.lt(field, value), Filters.and(Filters.eq(field, value), Filters.lt("_id", id)));
    }

    /**
     * One page of a keyset-paged query: sorted by {@code field}, after the position of the last item
     * seen ({@code afterValue}, {@code afterId}; null: from the start), at most {@code limit} items.
     */
    public record Window(String field, boolean ascending, Object afterValue, String afterId, int limit) {

        /** The query's filters with the condition that starts the page after the last item seen. */
        public void after(List<Bson> filters) {
            if (afterId != null) {
                filters.add(Keyset.after(field, ascending, afterValue, afterId));
            }
        }

        public Bson sort() {
            return Keyset.sort(field, ascending);
        }
    }
}
