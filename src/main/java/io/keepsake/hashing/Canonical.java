package io.keepsake.hashing;

import java.nio.charset.StandardCharsets;

/**
 * A canonical JSON text (RFC 8785) as UTF-8 bytes, with its lower-case hex SHA-256.
 *
 * @param bytes  buffer holding the canonical text in its first {@code length} bytes
 * @param length size of the canonical text in bytes: what the content limit is measured on
 * @param sha256 lower-case hex SHA-256 of those bytes
 */
public record Canonical(byte[] bytes, int length, String sha256) {

    public String text() {
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }
}
