package io.keepsake.store;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;
import de.bwaldvogel.mongo.backend.Utils;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;

/**
 * The keys of a {@link SecondaryIndex}'s entries: a document's indexed values, then its id, each
 * value as the backend's indexes hold it; and the same values as a query's bounds, so that what a
 * write stores and what a read looks for are keyed alike ({@link SecondaryKeyType} orders them).
 */
final class SecondaryKeys {

    /** Above every value: a key ending in it comes after every entry that starts with the same values. */
    static final Object TOP = MaxKey.getInstance();

    private SecondaryKeys() {
    }

    /**
     * The document's entries: its indexed values and its id; one entry per element when a value is an
     * array (an empty array is indexed as null, so that the document is still found by its other
     * keys). Two arrays in one document are refused before it is written
     * ({@link SecondaryIndex#checkUpdate}). A sparse index holds none for a document without its fields.
     */
    static Set<KeyValue> entriesOf(Document document, Object position, List<String> fields, boolean sparse) {
        if (sparse && fields.stream().allMatch(key -> Utils.getSubdocumentValue(document, key) instanceof Missing)) {
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

    /** A number, string, date or boolean as the index holds it (numbers as doubles); anything else null. */
    static Object orderable(Object value) {
        if (value instanceof Number || value instanceof String || value instanceof Instant || value instanceof Boolean) {
            Object normalized = normalized(value);
            return normalized instanceof Double number && number.isNaN() ? null : normalized;
        }
        return null;
    }

    /** The lowest value of the bound's type (numbers of every type compare by value). */
    static Object lowest(Object bound) {
        if (bound instanceof Number) {
            return Double.NEGATIVE_INFINITY;
        } else if (bound instanceof String) {
            return "";
        } else if (bound instanceof Instant) {
            return Instant.MIN;
        }
        return Boolean.FALSE;
    }

    static KeyValue key(List<Object> prefix, Object... more) {
        List<Object> values = new ArrayList<>(prefix);
        values.addAll(List.of(more));
        return new KeyValue(values);
    }
}
