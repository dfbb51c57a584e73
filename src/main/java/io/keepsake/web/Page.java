package io.keepsake.web;

import java.util.List;
import java.util.function.Function;

import io.quarkus.runtime.annotations.RegisterForReflection;

/** One page of a list: its items and, when more follow, the token to pass as {@code cursor}. */
@RegisterForReflection
public record Page<T>(List<T> items, String pageToken) {

    /**
     * Builds a page from a query that asked for one item more than the page size: that extra item
     * only says that another page follows, whose cursor is the last item served.
     */
    public static <D, T> Page<T> of(List<D> found, PageRequest page, Function<D, Object> sortValue,
            Function<D, String> id, Function<D, T> view) {
        boolean more = found.size() > page.size();
        List<D> items = more ? found.subList(0, page.size()) : found;
        String token = null;
        if (more) {
            D last = items.get(items.size() - 1);
            token = new PageToken(page.sortBy(), page.ascending(), sortValue.apply(last), id.apply(last)).encode();
        }
        return new Page<>(items.stream().map(view).toList(), token);
    }
}
