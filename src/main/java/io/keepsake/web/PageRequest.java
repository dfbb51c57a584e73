package io.keepsake.web;

import java.util.List;

import io.keepsake.store.Keyset;
import io.keepsake.config.PagingConfig;

/**
 * One list call's paging and sorting: page size clamped to the configured bounds, a sort field
 * from the resource's whitelist, and the cursor (which must belong to the same sort).
 */
public record PageRequest(int size, String sortBy, boolean ascending, PageToken after) {

    public static PageRequest of(String pageSize, String cursor, String sortBy, String sortDirection,
            List<String> sortable, String defaultSort, PagingConfig paging) {
        int size = pageSize == null || pageSize.isBlank() ? paging.defaultPageSize()
                : Math.max(1, Math.min(paging.maxPageSize(), integer("page_size", pageSize)));
        String sort = sortBy == null || sortBy.isBlank() ? defaultSort : sortBy;
        if (!sortable.contains(sort)) {
            throw ApiProblem.invalidField("sort_by", "sort_by must be one of " + String.join(", ", sortable))
                    .with("allowed", sortable);
        }
        boolean ascending;
        if (sortDirection == null || sortDirection.isBlank()) {
            ascending = sort.equals("title"); // A-Z for titles, newest or most first for the rest
        } else if (sortDirection.equalsIgnoreCase("asc")) {
            ascending = true;
        } else if (sortDirection.equalsIgnoreCase("desc")) {
            ascending = false;
        } else {
            throw ApiProblem.invalidField("sort_direction", "sort_direction must be asc or desc");
        }
        PageToken after = cursor == null || cursor.isBlank() ? null : PageToken.decode(cursor);
        if (after != null && (!after.sortBy().equals(sort) || after.ascending() != ascending)) {
            throw ApiProblem.invalidField("cursor", "The cursor belongs to another sort order; start again without it");
        }
        return new PageRequest(size, sort, ascending, after);
    }

    /** The store's window of this page, sorted by {@code field}: one item more than the page, to tell whether another follows. */
    public Keyset.Window window(String field) {
        return new Keyset.Window(field, ascending, after == null ? null : after.value(), after == null ? null : after.id(),
                size + 1);
    }

    private static int integer(String parameter, String value) {
        try {
            return Integer.parseInt(value.trim());
        } catch (NumberFormatException e) {
            throw ApiProblem.invalidField(parameter, parameter + " must be an integer");
        }
    }
}
