package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Date;
import java.util.List;
import java.util.UUID;

import org.h2.mvstore.WriteBuffer;
import org.h2.mvstore.type.ObjectDataType;
import org.junit.jupiter.api.Test;

import de.bwaldvogel.mongo.bson.BinData;
import de.bwaldvogel.mongo.bson.BsonRegularExpression;
import de.bwaldvogel.mongo.bson.BsonTimestamp;
import de.bwaldvogel.mongo.bson.Decimal128;
import de.bwaldvogel.mongo.bson.Document;
import de.bwaldvogel.mongo.bson.MaxKey;
import de.bwaldvogel.mongo.bson.MinKey;
import de.bwaldvogel.mongo.bson.ObjectId;

/** Documents are kept as BSON, read back as they were written, next to values of the former format. */
class DocumentTypeTest {

    private final DocumentType type = new DocumentType();

    @Test
    void everyValueAClientCanStoreComesBackAsItWas() {
        List<Object> mixed = new ArrayList<>(Arrays.asList(1, 2L, "three", null, new Document("four", 4.0), List.of()));
        Document document = new Document("_id", "abcdefghijkl")
                .append("int", 42).append("long", 1L << 40).append("double", 0.1).append("negativeZero", -0.0)
                .append("nan", Double.NaN).append("text", "naïve ☃ \uD83D\uDE00").append("empty", "")
                .append("yes", true).append("no", false).append("nothing", null)
                .append("date", Instant.ofEpochMilli(1_764_000_000_123L)).append("objectId", new ObjectId())
                .append("bytes", new BinData("{\"a\":1}".getBytes(StandardCharsets.UTF_8))).append("uuid", UUID.randomUUID())
                .append("decimal", Decimal128.ONE).append("timestamp", new BsonTimestamp(7L << 32 | 3))
                .append("regex", new BsonRegularExpression("^a.*", "i")).append("min", MinKey.getInstance())
                .append("max", MaxKey.getInstance()).append("mixed", mixed)
                .append("nested", new Document("outbox", List.of(new Document("n", 1), new Document("n", 2))));

        Document read = roundTrip(document);

        for (String field : document.keySet()) {
            Object expected = document.get(field);
            boolean valueEquals = expected instanceof BsonTimestamp || expected instanceof BsonRegularExpression;
            assertEquals(valueEquals ? String.valueOf(expected) : expected, valueEquals ? String.valueOf(read.get(field)) : read.get(field), field);
        }
        assertEquals(new ArrayList<>(document.keySet()), new ArrayList<>(read.keySet()), "field order kept");
        assertEquals(Long.class, read.get("long").getClass());
        assertEquals(Integer.class, read.get("int").getClass());
        assertEquals(Double.doubleToRawLongBits(-0.0), Double.doubleToRawLongBits((Double) read.get("negativeZero")));
    }

    @Test
    void aValueBsonHasNoTypeForIsKeptAsBefore() {
        Document document = new Document("_id", "x").append("when", new Date(5));

        assertEquals(document, roundTrip(document));
    }

    @Test
    void documentsOfTheFormerFormatAreReadNextToNewOnes() {
        Document old = new Document("_id", "old").append("title", "written before").append("n", 1);
        Document current = new Document("_id", "new").append("title", "written now").append("n", 2L);
        WriteBuffer buffer = new WriteBuffer();
        new ObjectDataType().write(buffer, old);
        type.write(buffer, current);
        type.write(buffer, old);
        ByteBuffer written = buffer.getBuffer().flip();

        assertEquals(old, type.read(written));
        assertEquals(current, type.read(written));
        assertEquals(old, type.read(written));
        assertEquals(0, written.remaining(), "each value read to its end");
    }

    @Test
    void aSmallRecordTakesAFractionOfItsJavaSerialisedForm() {
        Document record = new Document("_id", "alice:4f1c2a9e-7d51-4c6b-9a0e-3b2f1d8c7e6a").append("ownerId", "alice")
                .append("status", 201).append("requestHash", "0".repeat(64)).append("sessionId", "abcdefghijkl")
                .append("createdAt", Instant.now()).append("expiresAt", Instant.now().plusSeconds(86_400))
                .append("headers", new Document("ETag", "\"3\"").append("Location", "/api/sessions/abcdefghijkl"));

        int bson = written(type, record);
        int serialised = written(new ObjectDataType(), record);

        assertTrue(2 * bson < serialised, "BSON " + bson + " bytes, Java serialisation " + serialised);
    }

    private Document roundTrip(Document document) {
        WriteBuffer buffer = new WriteBuffer();
        type.write(buffer, document);
        ByteBuffer written = buffer.getBuffer().flip();
        Document read = type.read(written);
        assertEquals(0, written.remaining(), "the value read to its end");
        return read;
    }

    private static int written(org.h2.mvstore.type.DataType<? super Document> type, Document document) {
        WriteBuffer buffer = new WriteBuffer();
        type.write(buffer, document);
        return buffer.position();
    }
}
