package io.keepsake.store;

import java.util.HashSet;
import java.util.Iterator;
import java.util.NoSuchElementException;
import java.util.Set;

import org.h2.mvstore.Cursor;
import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.backend.KeyValue;

/** Entries of a {@link SecondaryIndex} from {@code from} (inclusive) to {@code to} (exclusive). */
final class IndexRange {

    private final MVMap<KeyValue, Boolean> entries;
    private final KeyValue from;
    private final KeyValue to;

    IndexRange(MVMap<KeyValue, Boolean> entries, KeyValue from, KeyValue to) {
        this.entries = entries;
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
