package io.keepsake.store;

import java.util.AbstractMap.SimpleImmutableEntry;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

import de.bwaldvogel.mongo.bson.Document;

/**
 * The conditions every match of a query satisfies, as the embedded store receives it: the query's
 * top-level entries and, in their place, those of the clauses of a top-level {@code $and} (and of
 * theirs), in the order written. Any one of them may narrow what a query has to read, since each
 * document read is still matched against the whole query.
 */
public final class Conjuncts {

    private Conjuncts() {
    }

    /** Field (or operator such as {@code $or}) and its condition, in the order written. */
    public static List<Map.Entry<String, Object>> of(Document query) {
        List<Map.Entry<String, Object>> conjuncts = new ArrayList<>();
        collect(query, conjuncts);
        return conjuncts;
    }

    private static void collect(Document query, List<Map.Entry<String, Object>> conjuncts) {
        for (Map.Entry<String, Object> entry : query.entrySet()) {
            if (entry.getKey().equals("$and") && entry.getValue() instanceof Collection<?> clauses) {
                for (Object clause : clauses) {
                    if (clause instanceof Document document) {
                        collect(document, conjuncts);
                    }
                }
            } else {
                conjuncts.add(new SimpleImmutableEntry<>(entry.getKey(), entry.getValue()));
            }
        }
    }
}
