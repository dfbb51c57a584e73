package io.keepsake.hashing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * A canonical JSON text (RFC 8785) as UTF-8 bytes, with its lower-case hex SHA-256.
 *
 * @param bytes  buffer holding the canonical text in its first {@code length} bytes
 * @param length size of the canonical text in bytes: what the content limit is measured on
 * @param sha256 lower-case hex SHA-256 of those bytes
 */
public record Canonical(byte[] bytes, int length, String sha256) {

    /** Canonical text already stored (its bytes exactly, and their hash). */
    public static Canonical stored(byte[] bytes, String sha256) {
        return new Canonical(bytes, bytes.length, sha256);
    }

    public String text() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /** The canonical bytes in an array of their own length (the buffer itself when it fits exactly). */
    public byte[] exact() {
        return length == bytes.length ? bytes : Arrays.copyOf(bytes, length);
    }
}
