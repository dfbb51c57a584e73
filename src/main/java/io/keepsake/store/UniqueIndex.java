package io.keepsake.store;

import java.util.List;
import java.util.Map.Entry;

import org.h2.mvstore.MVMap;

import de.bwaldvogel.mongo.backend.AbstractUniqueIndex;
import de.bwaldvogel.mongo.backend.IndexKey;
import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.Missing;

/** A unique index in the data file, its keys kept by {@link IndexKeyType}; maps a key to its document's id. */
final class UniqueIndex extends AbstractUniqueIndex<Object> {

    private final MVMap<KeyValue, Object> keys;

    UniqueIndex(MVMap<KeyValue, Object> keys, String name, List<IndexKey> fields, boolean sparse) {
        super(name, fields, sparse);
        this.keys = keys;
    }

    @Override
    protected Object removeDocument(KeyValue key) {
        return keys.remove(key);
    }

    @Override
    protected boolean putKeyPosition(KeyValue key, Object position) {
        return keys.putIfAbsent(key, Missing.ofNullable(position)) == null;
    }

    @Override
    protected Iterable<Entry<KeyValue, Object>> getIterable() {
        return keys.entrySet();
    }

    @Override
    protected Object getPosition(KeyValue key) {
        return keys.get(key);
    }

    @Override
    public long getCount() {
        return keys.sizeAsLong();
    }

    @Override
    public boolean isEmpty() {
        return keys.isEmpty();
    }

    @Override
    public long getDataSize() {
        return getCount();
    }
}
