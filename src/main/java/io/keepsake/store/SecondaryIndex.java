package io.keepsake.store;

import java.util.List;
import java.util.Set;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.MongoCollection;
import de.bwaldvogel.mongo.backend.Index;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.bson.Document;

/**
 * A non-unique index of the embedded store, which on its own builds unique indexes only and scans
 * the collection for any other query. The entries live in the data file next to the documents (so a
 * commit holds both, and a restart finds them): the indexed values of a document, then its id,
 * one entry per element when a value is an array ({@link SecondaryKeys}), ordered as MongoDB orders
 * values ({@link SecondaryKeyType}).
 * <p>
 * The collection does not ask the index to answer a query: {@link RangePlanner} takes from each
 * index the {@link IndexRange} of entries that holds every document the query can match, and reads
 * the smallest.
 */
final class SecondaryIndex extends Index<Object> {

    private final MVMap<KeyValue, Boolean> entries;
    private final List<String> fields;

    SecondaryIndex(MVMap<KeyValue, Boolean> entries, String name, List<IndexKey> keys, boolean sparse) {
        super(name, keys, sparse);
        this.entries = entries;
        this.fields = keys.stream().map(IndexKey::getKey).toList();
    }

    /** The indexed fields, in the order of the entries' values. */
    List<String> fields() {
        return fields;
    }

    /** Entries from {@code from} (inclusive) to {@code to} (exclusive). */
    IndexRange entries(KeyValue from, KeyValue to) {
        return new IndexRange(entries, from, to);
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

    private Set<KeyValue> entriesOf(Document document, Object position) {
        return SecondaryKeys.entriesOf(document, position, fields, isSparse());
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

    /** The collection plans its queries itself ({@link RangePlanner}), choosing among all its indexes. */
    @Override
    public boolean canHandle(Document query) {
        return false;
    }

    /** Never asked, since {@link #canHandle} is false. */
    @Override
    public Iterable<Object> getPositions(Document query) {
        throw new UnsupportedOperationException("The collection reads a secondary index by its ranges");
    }
}
