package io.keepsake.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Set;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;

/**
 * A non-unique index of the embedded store, which on its own builds unique indexes only and scans
 * the collection for any other query. The entries live in the data file next to the documents (so a
 * commit holds both, and a restart finds them): the indexed values of a document, then its id,
 * one entry per element when a value is an array, ordered as MongoDB orders values
 * ({@link SecondaryKeyType}).
 * <p>
 * The collection asks each index for a {@link Range} of entries that holds every document a query
 * can match (equality on leading keys, then at most one range: {@code $gt}, {@code $gte},
 * {@code $lt}, {@code $lte} on a number, string, date or boolean), counts the entries of each, and
 * reads the documents of the smallest; every document read is still matched against the whole
 * query, so a range only has to hold all matches, never only matches.
 */
final class SecondaryIndex extends Index<Object> {

    private static final Object TOP = MaxKey.getInstance();

    private final MVMap<KeyValue, Boolean> entries;
    private final List<String> fields;

    SecondaryIndex(MVMap<KeyValue, Boolean> entries, String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.entries = entries;
        this.fields = keys.stream().map(IndexKey::getKey).toList();
    }

    // ---- maintenance: called under the collection's lock, in the same command as the document's change

    /** Entries are found by range, not by document; the id index gives a document's position. */
    @Override
    public Object getPosition(Document document) {
        return null;
    }

    @Override
    public void checkAdd(Document document, MongoCollection<Object> collection) {
        checkUpdate(null, document, collection);
    }

    /** Refuses parallel arrays (possible only in a compound index) before anything is written, as MongoDB does. */
    @Override
    public void checkUpdate(Document oldDocument, Document newDocument, MongoCollection<Object> collection) {
        if (isCompoundIndex()) {
            getKeyValues(newDocument);
        }
    }

    @Override
    public void add(Document document, Object position, MongoCollection<Object> collection) {
        for (KeyValue entry : entriesOf(document, position)) {
            entries.put(entry, Boolean.TRUE);
        }
    }

    @Override
    public Object remove(Document document) {
        Object position = document.get("_id");
        Set<KeyValue> removed = entriesOf(document, position);
        removed.forEach(entries::remove);
        return isSparse() && removed.isEmpty() ? null : position; // null: skipped, as the collection expects of a sparse index
    }

    @Override
    public void updateInPlace(Document oldDocument, Document newDocument, Object position,
            MongoCollection<Object> collection) {
        Set<KeyValue> before = entriesOf(oldDocument, position);
        Set<KeyValue> after = entriesOf(newDocument, position);
        for (KeyValue entry : before) {
            if (!after.contains(entry)) {
                entries.remove(entry);
            }
        }
        for (KeyValue entry : after) {
            if (!before.contains(entry)) {
                entries.put(entry, Boolean.TRUE);
            }
        }
    }

    /**
     * The document's entries: its indexed values and its id; one entry per element when a value is an
     * array (an empty array is indexed as null, so that the document is still found by its other
     * keys). Two arrays in one document are refused before it is written ({@link #checkUpdate}).
     */
    private Set<KeyValue> entriesOf(Document document, Object position) {
        if (isSparse() && fields.stream().allMatch(key -> Utils.getSubdocumentValue(document, key) instanceof Missing)) {
            return Set.of();
        }
        Object[] values = new Object[fields.size() + 1];
        values[fields.size()] = position;
        int array = -1;
        for (int i = 0; i < fields.size(); i++) {
            String field = fields.get(i);
            Object value = field.indexOf('.') < 0 ? document.get(field) : Utils.getSubdocumentValueCollectionAware(document, field);
            if (value instanceof Collection<?> elements && array < 0) {
                if (elements.isEmpty()) {
                    value = null;
                } else {
                    array = i;
                }
            } else {
                value = normalized(value);
            }
            values[i] = value;
        }
        if (array < 0) {
            return Set.of(new KeyValue(values));
        }
        Set<KeyValue> result = new LinkedHashSet<>();
        for (Object element : (Collection<?>) values[array]) {
            Object[] one = values.clone();
            one[array] = normalized(element);
            result.add(new KeyValue(one));
        }
        return result;
    }

    /** A value as the backend's indexes hold it: missing as null, every number as a double (or a long a double cannot hold). */
    private static Object normalized(Object value) {
        if (value == null || value instanceof Missing) {
            return null;
        }
        if (value instanceof String || value instanceof Instant || value instanceof Boolean) {
            return value;
        }
        return new KeyValue(value).normalized().get(0);
    }

    @Override
    public long getCount() {
        return entries.sizeAsLong();
    }

    @Override
    public boolean isEmpty() {
        return entries.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }

    @Override
    public void drop() {
        entries.clear();
    }

    // ---- queries

    /** The collection plans its queries itself ({@link #range}), choosing among all its indexes. */
    @Override
    public boolean canHandle(Document query) {
        return false;
    }

    /** Never asked, since {@link #canHandle} is false. */
    @Override
    public Iterable<Object> getPositions(Document query) {
        throw new UnsupportedOperationException("The collection reads a secondary index by its ranges");
    }

    /** Entries from {@code from} (inclusive) to {@code to} (exclusive). */
    final class Range {
        private final KeyValue from;
        private final KeyValue to;

        private Range(KeyValue from, KeyValue to) {
            this.from = from;
            this.to = to;
        }

        /** How many entries the range holds: two lookups, whatever its size. */
        long size() {
            return Math.max(0, insertionPoint(to) - insertionPoint(from));
        }

        private long insertionPoint(KeyValue key) {
            long index = entries.getKeyIndex(key);
            return index < 0 ? -index - 1 : index;
        }

        /**
         * The ids of the range's documents, each once, in index order, read as they are asked for: a
         * query with a limit (a sweep's batch) stops reading the range where it has enough.
         */
        Iterable<Object> positions() {
            SecondaryKeyType order = (SecondaryKeyType) entries.getKeyType();
            return () -> new Iterator<>() {
                private final Cursor<KeyValue, Boolean> cursor = entries.cursor(from);
                private final Set<Object> seen = new HashSet<>(); // an array gives a document one entry per element
                private Object next;

                @Override
                public boolean hasNext() {
                    while (next == null && cursor.hasNext()) {
                        KeyValue entry = cursor.next();
                        if (order.compare(entry, to) >= 0) {
                            break;
                        }
                        Object position = entry.get(entry.size() - 1);
                        if (seen.add(position)) {
                            next = position;
                        }
                    }
                    return next != null;
                }

                @Override
                public Object next() {
                    if (!hasNext()) {
                        throw new NoSuchElementException();
                    }
                    Object position = next;
                    next = null;
                    return position;
                }
            };
        }
    }

    /**
     * The ids of every document {@code query} can match, read from the index whose range for it is
     * smallest; for a top-level {@code $or}, the union of each branch's smallest range when every
     * branch has one and together they are smaller. Null when no index narrows the query.
     */
    static Iterable<Object> candidates(List<SecondaryIndex> indexes, Document query) {
        List<Map.Entry<String, Object>> conjuncts = Conjuncts.of(query);
        Map<String, Object> conditions = Conditions.of(conjuncts);
        Range whole = smallest(indexes, conditions);
        List<Document> alternatives = Conditions.alternatives(conjuncts);
        if (alternatives != null) {
            List<Range> branches = new ArrayList<>();
            long size = 0;
            for (Document alternative : alternatives) {
                Map<String, Object> branchConditions = Conditions.of(Conjuncts.of(alternative));
                conditions.forEach(branchConditions::putIfAbsent);
                Range branch = smallest(indexes, branchConditions);
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

    private static Range smallest(List<SecondaryIndex> indexes, Map<String, Object> conditions) {
        Range best = null;
        long bestSize = Long.MAX_VALUE;
        for (SecondaryIndex index : indexes) {
            Range range = index.range(conditions);
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

    /** The entries that hold every document matching {@code conditions}, or null when this index cannot narrow them. */
    private Range range(Map<String, Object> conditions) {
        List<Object> prefix = new ArrayList<>();
        for (String field : fields) {
            Object condition = conditions.get(field);
            Object equal = equalTo(condition);
            if (equal != null) {
                prefix.add(equal);
                continue;
            }
            Range range = between(prefix, condition);
            if (range != null) {
                return range;
            }
            break;
        }
        if (prefix.isEmpty()) {
            return null;
        }
        return new Range(new KeyValue(prefix), key(prefix, TOP));
    }

    /** A range of values on the key after {@code prefix}, from a document of $gt/$gte/$lt/$lte. */
    private Range between(List<Object> prefix, Object condition) {
        if (!(condition instanceof Document operators)) {
            return null;
        }
        KeyValue from = null;
        KeyValue to = null;
        Object bound = null;
        for (Map.Entry<String, Object> operator : operators.entrySet()) {
            Object value = orderable(operator.getValue());
            if (value == null) {
                continue;
            }
            switch (operator.getKey()) {
                case "$gt" -> from = key(prefix, value, TOP);
                case "$gte" -> from = key(prefix, value);
                case "$lt" -> to = key(prefix, value);
                case "$lte" -> to = key(prefix, value, TOP);
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
        return new Range(from != null ? from : key(prefix, lowest(bound)),
                to != null ? to : key(prefix, bound instanceof Number ? "" : TOP));
    }

    /** The value a condition requires a key to equal, when it is a plain value this index orders. */
    private static Object equalTo(Object condition) {
        if (condition instanceof Document operators) {
            return operators.size() == 1 ? orderable(operators.get("$eq")) : null;
        }
        return orderable(condition);
    }

    /** A number, string, date or boolean as the index holds it (numbers as doubles); anything else null. */
    private static Object orderable(Object value) {
        if (value instanceof Number || value instanceof String || value instanceof Instant || value instanceof Boolean) {
            Object normalized = normalized(value);
            return normalized instanceof Double number && number.isNaN() ? null : normalized;
        }
        return null;
    }

    /** The lowest value of the bound's type (numbers of every type compare by value). */
    private static Object lowest(Object bound) {
        if (bound instanceof Number) {
            return Double.NEGATIVE_INFINITY;
        } else if (bound instanceof String) {
            return "";
        } else if (bound instanceof Instant) {
            return Instant.MIN;
        }
        return Boolean.FALSE;
    }

    private static KeyValue key(List<Object> prefix, Object... more) {
        List<Object> values = new ArrayList<>(prefix);
        values.addAll(List.of(more));
        return new KeyValue(values);
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
