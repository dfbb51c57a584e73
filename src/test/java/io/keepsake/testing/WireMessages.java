package io.keepsake.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.bson.BsonDocument;
import org.bson.BsonDouble;
import org.bson.BsonInt32;
import org.bson.BsonString;
import org.bson.RawBsonDocument;
import org.bson.codecs.BsonDocumentCodec;

/** Just enough of the MongoDB wire protocol (OP_MSG) for {@link FaultProxy} to answer a command itself. */
final class WireMessages {

    private static final int OP_MSG = 2013;
    private static final int HEADER = 16;

    private WireMessages() {
    }

    /** Whether the message is an OP_MSG whose command Cosmos DB bills, and so may throttle ({@link IdLookupMemoryBackend#BILLED}). */
    static boolean isBilled(byte[] message) {
        ByteBuffer buffer = ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN);
        if (buffer.getInt(12) != OP_MSG || message[HEADER + 4] != 0) {
            return false;
        }
        int length = buffer.getInt(HEADER + 5);
        String command = new RawBsonDocument(message, HEADER + 5, length).getFirstKey();
        return IdLookupMemoryBackend.BILLED.contains(command);
    }

    /** An OP_MSG answering {@code request} with a command error. */
    static byte[] error(byte[] request, int code, String codeName, String message) {
        int requestId = ByteBuffer.wrap(request).order(ByteOrder.LITTLE_ENDIAN).getInt(4);
        BsonDocument reply = new BsonDocument("ok", new BsonDouble(0)).append("errmsg", new BsonString(message))
                .append("code", new BsonInt32(code)).append("codeName", new BsonString(codeName));
        RawBsonDocument raw = new RawBsonDocument(reply, new BsonDocumentCodec());
        byte[] body = new byte[raw.getByteBuffer().remaining()];
        raw.getByteBuffer().asNIO().get(body);
        int length = HEADER + 4 + 1 + body.length;
        ByteBuffer header = ByteBuffer.allocate(HEADER + 5).order(ByteOrder.LITTLE_ENDIAN);
        header.putInt(length).putInt(requestId ^ 0x5a5a5a5a).putInt(requestId).putInt(OP_MSG).putInt(0).put((byte) 0);
        ByteArrayOutputStream out = new ByteArrayOutputStream(length);
        out.writeBytes(header.array());
        out.writeBytes(body);
        return out.toByteArray();
    }
}
