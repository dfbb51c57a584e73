package io.keepsake.store;

import java.nio.ByteBuffer;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import de.bwaldvogel.mongo.backend.KeyValue;
import de.bwaldvogel.mongo.backend.ValueComparator;

/**
 * How the embedded store keeps a {@link SecondaryIndex}'s entries: the indexed values followed by
 * the document's id, ordered as MongoDB orders values (numbers by value whatever their type, then
 * strings, ..., dates), so that a range of a query is a range of the map. Strings, numbers, dates
 * and booleans are written as what they are; anything else falls back to H2's object type.
 */
final class SecondaryKeyType extends BasicDataType<KeyValue> {

    private static final ValueComparator ORDER = ValueComparator.asc();

    private static final byte NULL = 0;
    private static final byte STRING = 1;
    private static final byte DOUBLE = 2;
    private static final byte LONG = 3;
    private static final byte INSTANT = 4;
    private static final byte BOOLEAN = 5;
    private static final byte OTHER = 6;

    private final ObjectDataType others = new ObjectDataType();

    @Override
    public int getMemory(KeyValue key) {
        int memory = 48;
        for (Object value : key) {
            memory += value instanceof String text ? 40 + 2 * text.length() : 24;
        }
        return memory;
    }

    @Override
    public void write(WriteBuffer buffer, KeyValue key) {
        buffer.putVarInt(key.size());
        for (Object value : key) {
            if (value == null) {
                buffer.put(NULL);
            } else if (value instanceof String text) {
                buffer.put(STRING).putVarInt(text.length()).putStringData(text, text.length());
            } else if (value instanceof Double number) {
                buffer.put(DOUBLE).putDouble(number);
            } else if (value instanceof Long number) {
                buffer.put(LONG).putLong(number);
            } else if (value instanceof Instant instant) {
                buffer.put(INSTANT).putVarLong(instant.getEpochSecond()).putVarInt(instant.getNano());
            } else if (value instanceof Boolean flag) {
                buffer.put(BOOLEAN).put((byte) (flag ? 1 : 0));
            } else {
                buffer.put(OTHER);
                others.write(buffer, value);
            }
        }
    }

    @Override
    public KeyValue read(ByteBuffer buffer) {
        int size = DataUtils.readVarInt(buffer);
        List<Object> values = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            byte type = buffer.get();
            values.add(switch (type) {
                case NULL -> null;
                case STRING -> DataUtils.readString(buffer, DataUtils.readVarInt(buffer));
                case DOUBLE -> buffer.getDouble();
                case LONG -> buffer.getLong();
                case INSTANT -> Instant.ofEpochSecond(DataUtils.readVarLong(buffer), DataUtils.readVarInt(buffer));
                case BOOLEAN -> buffer.get() != 0;
                case OTHER -> others.read(buffer);
                default -> throw new IllegalStateException("Unknown index value type " + type);
            });
        }
        return new KeyValue(values);
    }

    /** Value by value in MongoDB's order, then the shorter key first (a prefix sorts before its extensions). */
    @Override
    public int compare(KeyValue a, KeyValue b) {
        return IndexKeyType.compare(a, b, SecondaryKeyType::compareValues);
    }

    private static int compareValues(Object a, Object b) {
        if (a instanceof String x && b instanceof String y) {
            return x.compareTo(y); // as MongoDB's order compares two strings; the common case, made cheap
        }
        return ORDER.compare(a, b);
    }

    @Override
    public KeyValue[] createStorage(int size) {
        return new KeyValue[size];
    }
}
