package io.keepsake.store;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import de.bwaldvogel.mongo.backend.KeyValue;

/**
 * How the embedded store keeps a unique index's keys: value by value. The backend's own maps store
 * a key as one Java-serialised object, and since a key is not {@link Comparable}, the B-tree
 * serialised both keys at every comparison of a lookup: a tenth of a write's CPU went there.
 * Here each value is written and compared as what it is (a string as a string, a number as a
 * number), and only the rare value H2 has no type for falls back to serialisation.
 * <p>
 * An index needs only equality and a consistent order: keys compare value by value, then by
 * length, so two keys compare equal exactly when their values do.
 */
final class IndexKeyType extends BasicDataType<KeyValue> {

    private final ObjectDataType values = new ObjectDataType();

    @Override
    public int getMemory(KeyValue key) {
        int memory = 48;
        for (Object value : key) {
            memory += values.getMemory(value);
        }
        return memory;
    }

    @Override
    public void write(WriteBuffer buffer, KeyValue key) {
        buffer.putVarInt(key.size());
        for (Object value : key) {
            values.write(buffer, value);
        }
    }

    @Override
    public KeyValue read(ByteBuffer buffer) {
        int size = DataUtils.readVarInt(buffer);
        List<Object> read = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            read.add(values.read(buffer));
        }
        return new KeyValue(read);
    }

    @Override
    public int compare(KeyValue a, KeyValue b) {
        return compare(a, b, values);
    }

    /** Value by value, then the shorter key first (a prefix sorts before its extensions). */
    static int compare(KeyValue a, KeyValue b, Comparator<Object> values) {
        if (a == b) {
            return 0;
        }
        int common = Math.min(a.size(), b.size());
        for (int i = 0; i < common; i++) {
            int order = values.compare(a.get(i), b.get(i));
            if (order != 0) {
                return order;
            }
        }
        return Integer.compare(a.size(), b.size());
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }
}
