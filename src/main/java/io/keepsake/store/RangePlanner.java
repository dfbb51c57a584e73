package io.keepsake.store;

import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;

/**
 * What a query reads of a collection's {@link SecondaryIndex}es. Each index offers an
 * {@link IndexRange} of entries that holds every document the query can match (equality on leading
 * keys, then at most one range: {@code $gt}, {@code $gte}, {@code $lt}, {@code $lte} on a number,
 * string, date or boolean); the sizes of the ranges are counted and the documents of the smallest
 * are read. Every document read is still matched against the whole query, so a range only has to
 * hold all matches, never only matches.
 */
final class RangePlanner {

    private RangePlanner() {
    }

    /**
     * The ids of every document {@code query} can match, read from the index whose range for it is
     * smallest; for a top-level {@code $or}, the union of each branch's smallest range when every
     * branch has one and together they are smaller. Null when no index narrows the query.
     */
    static Iterable<Object> candidates(List<SecondaryIndex> indexes, Document query) {
        List<Map.Entry<String, Object>> conjuncts = Conjuncts.of(query);
        Map<String, Object> conditions = Conditions.of(conjuncts);
        IndexRange whole = smallest(indexes, conditions);
        List<Document> alternatives = Conditions.alternatives(conjuncts);
        if (alternatives != null) {
            List<IndexRange> branches = new ArrayList<>();
            long size = 0;
            for (Document alternative : alternatives) {
                Map<String, Object> branchConditions = Conditions.of(Conjuncts.of(alternative));
                conditions.forEach(branchConditions::putIfAbsent);
                IndexRange branch = smallest(indexes, branchConditions);
                if (branch == null) {
                    branches = null;
                    break;
                }
                branches.add(branch);
                size += branch.size();
            }
            if (branches != null && !branches.isEmpty() && (whole == null || size < whole.size())) {
                Set<Object> positions = new LinkedHashSet<>();
                branches.forEach(branch -> branch.positions().forEach(positions::add));
                return positions;
            }
        }
        return whole == null ? null : whole.positions();
    }

    private static IndexRange smallest(List<SecondaryIndex> indexes, Map<String, Object> conditions) {
        IndexRange best = null;
        long bestSize = Long.MAX_VALUE;
        for (SecondaryIndex index : indexes) {
            IndexRange range = range(index, conditions);
            if (range != null) {
                long size = range.size();
                if (size < bestSize) {
                    best = range;
                    bestSize = size;
                }
            }
        }
        return best;
    }

    /**
     * The entries of {@code index} that hold every document matching {@code conditions}, or null
     * when it cannot narrow them.
     */
    private static IndexRange range(SecondaryIndex index, Map<String, Object> conditions) {
        List<Object> prefix = new ArrayList<>();
        for (String field : index.fields()) {
            Object condition = conditions.get(field);
            Object equal = equalTo(condition);
            if (equal != null) {
                prefix.add(equal);
                continue;
            }
            IndexRange range = between(index, prefix, condition);
            if (range != null) {
                return range;
            }
            break;
        }
        if (prefix.isEmpty()) {
            return null;
        }
        return index.entries(new KeyValue(prefix), SecondaryKeys.key(prefix, SecondaryKeys.TOP));
    }

    /** A range of values on the key after {@code prefix}, from a document of $gt/$gte/$lt/$lte. */
    private static IndexRange between(SecondaryIndex index, List<Object> prefix, Object condition) {
        if (!(condition instanceof Document operators)) {
            return null;
        }
        KeyValue from = null;
        KeyValue to = null;
        Object bound = null;
        for (Map.Entry<String, Object> operator : operators.entrySet()) {
            Object value = SecondaryKeys.orderable(operator.getValue());
            if (value == null) {
                continue;
            }
            switch (operator.getKey()) {
                case "$gt" -> from = SecondaryKeys.key(prefix, value, SecondaryKeys.TOP);
                case "$gte" -> from = SecondaryKeys.key(prefix, value);
                case "$lt" -> to = SecondaryKeys.key(prefix, value);
                case "$lte" -> to = SecondaryKeys.key(prefix, value, SecondaryKeys.TOP);
                default -> {
                    continue;
                }
            }
            bound = value;
        }
        if (bound == null) {
            return null;
        }
        // A comparison matches values of its own type only: the range starts or ends at that type's edge.
        return index.entries(from != null ? from : SecondaryKeys.key(prefix, SecondaryKeys.lowest(bound)),
                to != null ? to : SecondaryKeys.key(prefix, bound instanceof Number ? "" : SecondaryKeys.TOP));
    }

    /** The value a condition requires a key to equal, when it is a plain value an index orders. */
    private static Object equalTo(Object condition) {
        if (condition instanceof Document operators) {
            return operators.size() == 1 ? SecondaryKeys.orderable(operators.get("$eq")) : null;
        }
        return SecondaryKeys.orderable(condition);
    }

    /**
     * A query's conditions by field, from its {@link Conjuncts}: the first condition of a field wins,
     * since any one of them bounds the matches.
     */
    private static final class Conditions {

        private Conditions() {
        }

        static Map<String, Object> of(List<Map.Entry<String, Object>> conjuncts) {
            Map<String, Object> conditions = new LinkedHashMap<>();
            for (Map.Entry<String, Object> conjunct : conjuncts) {
                if (!conjunct.getKey().startsWith("$")) {
                    conditions.putIfAbsent(conjunct.getKey(), conjunct.getValue());
                }
            }
            return conditions;
        }

        /** The branches of the query's first top-level {@code $or}, or null. */
        static List<Document> alternatives(List<Map.Entry<String, Object>> conjuncts) {
            for (Map.Entry<String, Object> conjunct : conjuncts) {
                if (conjunct.getKey().equals("$or") && conjunct.getValue() instanceof Collection<?> branches) {
                    return documents(branches);
                }
            }
            return null;
        }

        private static List<Document> documents(Collection<?> branches) {
            List<Document> result = new ArrayList<>();
            for (Object branch : branches) {
                if (!(branch instanceof Document document)) {
                    return null;
                }
                result.add(document);
            }
            return result;
        }
    }
}
