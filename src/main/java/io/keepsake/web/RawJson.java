package io.keepsake.web;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.SerializableString;
import com.fasterxml.jackson.databind.JsonSerializable;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.jsontype.TypeSerializer;

/**
 * JSON text that is written into a response as it is stored: its UTF-8 bytes go to the output as
 * they are, never through a String (a stored session's content is up to 1.5 MiB).
 */
public final class RawJson implements JsonSerializable {

    private final byte[] utf8;

    public RawJson(byte[] utf8) {
        this.utf8 = utf8;
    }

    @Override
    public void serialize(JsonGenerator generator, SerializerProvider serializers) throws IOException {
        generator.writeRawValue(new Utf8(utf8));
    }

    @Override
    public void serializeWithType(JsonGenerator generator, SerializerProvider serializers, TypeSerializer type)
            throws IOException {
        serialize(generator, serializers);
    }

    /** Raw UTF-8 as Jackson's generators take it: copied into their buffer, or written around it when large. */
    private record Utf8(byte[] bytes) implements SerializableString {

        @Override
        public byte[] asUnquotedUTF8() {
            return bytes;
        }

        @Override
        public int appendUnquotedUTF8(byte[] buffer, int offset) {
            if (offset + bytes.length > buffer.length) {
                return -1;
            }
            System.arraycopy(bytes, 0, buffer, offset, bytes.length);
            return bytes.length;
        }

        @Override
        public int writeUnquotedUTF8(OutputStream out) throws IOException {
            out.write(bytes);
            return bytes.length;
        }

        @Override
        public int putUnquotedUTF8(ByteBuffer buffer) {
            if (buffer.remaining() < bytes.length) {
                return -1;
            }
            buffer.put(bytes);
            return bytes.length;
        }

        // What a character-based generator needs (not the UTF-8 one responses use).
        @Override
        public String getValue() {
            return new String(bytes, StandardCharsets.UTF_8);
        }

        @Override
        public int charLength() {
            return getValue().length();
        }

        @Override
        public char[] asQuotedChars() {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }


        @Override
        public byte[] asQuotedUTF8() {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int appendQuotedUTF8(byte[] buffer, int offset) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int appendQuoted(char[] buffer, int offset) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int appendUnquoted(char[] buffer, int offset) {
            char[] chars = getValue().toCharArray();
            if (offset + chars.length > buffer.length) {
                return -1;
            }
            System.arraycopy(chars, 0, buffer, offset, chars.length);
            return chars.length;
        }

        @Override
        public int writeQuotedUTF8(OutputStream out) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }

        @Override
        public int putQuotedUTF8(ByteBuffer buffer) {
            throw new UnsupportedOperationException("raw JSON is never quoted");
        }
    }
}
