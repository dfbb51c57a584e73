package io.keepsake.store;

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
}
