package io.keepsake.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.bson.conversions.Bson;

import com.mongodb.client.model.Filters;

import io.quarkus.mongodb.FindOptions;
import io.quarkus.mongodb.reactive.ReactiveMongoCollection;
import io.smallrye.mutiny.Uni;

/** Query pieces shared by the list endpoints; user text never becomes an operator or a pattern. */
public final class Queries {

    private static final String REGEX_META = "\\^$.|?*+()[]{}/-";

    private Queries() {
    }

    /** Case-insensitive "contains" on a field, with every regex metacharacter of the text escaped. */
    public static Bson containsIgnoreCase(String field, String text) {
        return Filters.regex(field, literal(text), "i");
    }

    /** The text as a regular expression matching itself: every metacharacter backslash-escaped. */
    static String literal(String text) {
        StringBuilder pattern = new StringBuilder(text.length() + 8);
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (REGEX_META.indexOf(c) >= 0) {
                pattern.append('\\');
            }
            pattern.append(c);
        }
        return pattern.toString();
    }

    /** Adds {@code from <= field <= to} for whichever bounds are given. */
    public static void range(List<Bson> filters, String field, Instant from, Instant to) {
        if (from != null) {
            filters.add(Filters.gte(field, from));
        }
        if (to != null) {
            filters.add(Filters.lte(field, to));
        }
    }

    /** The first document matching {@code filter}, with an optional projection; null if none. */
    public static <T> Uni<T> first(ReactiveMongoCollection<T> collection, Bson filter, Bson projection) {
        FindOptions options = new FindOptions().filter(filter).limit(1);
        if (projection != null) {
            options.projection(projection);
        }
        return collection.find(options).collect().first().plug(Throttled::retry);
    }

    public static Bson and(List<Bson> filters) {
        return filters.size() == 1 ? filters.get(0) : Filters.and(new ArrayList<>(filters));
    }
}
