package io.keepsake.store;

import java.util.List;
import java.util.function.BiFunction;
import java.util.function.Function;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;
import com.mongodb.client.model.Sorts;

import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;

/**
 * Every document a query finds, read one page at a time in key order, each page asked for only
 * when the one before has been handed on: a reader of a whole collection's share never holds more
 * than a page (the embedded store holds a whole query's results in memory, so none is ever asked
 * for everything at once).
 */
public final class Pages {

    private Pages() {
    }

    private static final class Cursor {
        String after;
        boolean done;
    }

    /**
     * Every document of the collection that {@code filter} finds, with {@code projection}, in id
     * order, {@code size} at a time.
     */
    public static <T> Multi<T> byId(ReactiveMongoCollection<T> collection, Bson filter, Bson projection,
            Function<T, String> id, int size) {
        return all((after, limit) -> collection.find(new FindOptions()
                        .filter(after == null ? filter : Filters.and(filter, Filters.gt("_id", after)))
                        .projection(projection).sort(Sorts.ascending("_id")).limit(limit))
                .collect().asList().plug(Throttled::retry), id, size);
    }

    /**
     * @param page the page of at most {@code size} items after the given key (null: from the first)
     * @param key  an item's key, the order of the pages
     */
    public static <T> Multi<T> all(BiFunction<String, Integer, Uni<List<T>>> page, Function<T, String> key, int size) {
        return Multi.createBy().repeating().uni(Cursor::new, cursor -> cursor.done ? Uni.createFrom().item(List.<T>of())
                        : page.apply(cursor.after, size).invoke(items -> {
                            cursor.done = items.size() < size;
                            if (!items.isEmpty()) {
                                cursor.after = key.apply(items.get(items.size() - 1));
                            }
                        }))
                .until(List::isEmpty)
                .onItem().transformToIterable(Function.identity());
    }
}
