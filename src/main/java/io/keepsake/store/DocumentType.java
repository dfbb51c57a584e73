package io.keepsake.store;

import java.nio.ByteBuffer;
import java.util.Collection;
import java.util.Map;

import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.BasicDataType;
import org.h2.mvstore.type.ObjectDataType;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.wire.bson.BsonDecoder;
import de.bwaldvogel.mongo.wire.bson.BsonEncoder;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;

/**
 * How the embedded store keeps a collection's documents: as BSON, written and read by the
 * backend's own wire codec, the same one every document a client stores has already come through.
 * The backend's maps kept each document as a Java-serialised object, class descriptions and all:
 * serialising them was most of a commit's work after compression, and on the committer thread, for
 * which every write waits.
 * <p>
 * A value starts with a tag. {@link #BSON} is not one H2's object type writes (0-19, 32-49, 64-119),
 * so a data file written before, or a document BSON cannot hold (none that the wire can carry), is
 * read and written by that type as before: an old file opens as it is, and its documents are
 * rewritten as BSON when they change or are compacted.
 * <p>
 * BSON keeps dates to the millisecond, as MongoDB does; everything else a client can send comes back
 * as it went in.
 */
final class DocumentType extends BasicDataType<Document> {

    static final byte BSON = 127;

    /** A writer's scratch buffer is kept for the next value up to this size, and dropped above. */
    private static final int KEPT_SCRATCH = 256 << 10;

    private static final ThreadLocal<ByteBuf> SCRATCH = ThreadLocal.withInitial(() -> Unpooled.buffer(16 << 10));

    private final ObjectDataType others = new ObjectDataType();

    @Override
    public Document[] createStorage(int size) {
        return new Document[size];
    }

    @Override
    public int getMemory(Document document) {
        return memory(document);
    }

    @Override
    public void write(WriteBuffer buffer, Document document) {
        ByteBuf scratch = SCRATCH.get();
        scratch.clear();
        try {
            BsonEncoder.encodeDocument(document, scratch);
        } catch (IllegalArgumentException e) {
            others.write(buffer, document); // a value BSON has no type for
            return;
        } finally {
            if (scratch.capacity() > KEPT_SCRATCH) {
                SCRATCH.remove();
            }
        }
        buffer.put(BSON).put(scratch.array(), scratch.arrayOffset() + scratch.readerIndex(), scratch.readableBytes());
    }

    @Override
    public Document read(ByteBuffer buffer) {
        int start = buffer.position();
        if (buffer.get(start) != BSON) {
            return (Document) others.read(buffer);
        }
        ByteBuf bson = Unpooled.wrappedBuffer(buffer.duplicate().position(start + 1));
        Document document = BsonDecoder.decodeBson(bson);
        buffer.position(start + 1 + bson.readerIndex());
        return document;
    }

    /** About what a document takes on the heap, for the store's cache: walked, not encoded. */
    private static int memory(Object value) {
        if (value instanceof Map<?, ?> map) {
            int memory = 64;
            for (Map.Entry<?, ?> entry : map.entrySet()) {
                memory += 32 + memory(entry.getKey()) + memory(entry.getValue());
            }
            return memory;
        }
        if (value instanceof Collection<?> values) {
            int memory = 40;
            for (Object element : values) {
                memory += 8 + memory(element);
            }
            return memory;
        }
        if (value instanceof String text) {
            return 48 + text.length();
        }
        if (value instanceof BinData data) {
            return 32 + data.getData().length;
        }
        return 24;
    }
}
