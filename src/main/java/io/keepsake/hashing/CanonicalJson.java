package io.keepsake.hashing;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Comparator;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * RFC 8785 (JSON Canonicalization Scheme) over a Jackson tree, with the SHA-256 of the result.
 * Object members are sorted by UTF-16 code units ({@link String#compareTo} is exactly that),
 * numbers are printed as ECMAScript does, strings use the minimal JSON escapes and UTF-8.
 * The canonical bytes are written straight into one growable buffer and hashed from it.
 */
public final class CanonicalJson {

    private static final HexFormat HEX = HexFormat.of();
    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final long MAX_EXACT_INTEGER = 1L << 53;
    /** Member order: by UTF-16 code units, which is what {@link String#compareTo} compares. */
    private static final Comparator<Map.Entry<String, JsonNode>> BY_NAME = Map.Entry.comparingByKey();

    private byte[] buf;
    private int len;

    private CanonicalJson(int sizeHint) {
        this.buf = new byte[Math.max(64, sizeHint)];
    }

    /**
     * Canonicalises and hashes a JSON value.
     *
     * @param sizeHint expected size in bytes (e.g. the request body length), to avoid regrowing
     * @throws IllegalArgumentException for values that have no canonical form (non-finite
     *                                  numbers, strings with unpaired surrogates)
     */
    public static Canonical of(JsonNode value, int sizeHint) {
        CanonicalJson writer = new CanonicalJson(sizeHint);
        writer.value(value);
        return new Canonical(writer.buf, writer.len, sha256Hex(writer.buf, writer.len));
    }

    public static Canonical of(JsonNode value) {
        return of(value, 256);
    }

    /** Lower-case hex SHA-256 of the given bytes. */
    public static String sha256Hex(byte[] bytes, int length) {
        try {
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            digest.update(bytes, 0, length);
            return HEX.formatHex(digest.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is required of every JVM", e);
        }
    }

    private void value(JsonNode node) {
        switch (node.getNodeType()) {
            case OBJECT -> object(node);
            case ARRAY -> array(node);
            case STRING -> string(node.textValue());
            case NUMBER -> number(node);
            case BOOLEAN -> raw(node.booleanValue() ? TRUE : FALSE);
            case NULL -> raw(NULL);
            default -> throw new IllegalArgumentException("Not a JSON value: " + node.getNodeType());
        }
    }

    @SuppressWarnings("unchecked")
    private void object(JsonNode node) {
        Map.Entry<String, JsonNode>[] members = node.properties().toArray(new Map.Entry[0]);
        if (members.length > 1) {
            Arrays.sort(members, BY_NAME);
        }
        put('{');
        for (int i = 0; i < members.length; i++) {
            if (i > 0) {
                put(',');
            }
            string(members[i].getKey());
            put(':');
            value(members[i].getValue());
        }
        put('}');
    }

    private void array(JsonNode node) {
        put('[');
        for (int i = 0, n = node.size(); i < n; i++) {
            if (i > 0) {
                put(',');
            }
            value(node.get(i));
        }
        put(']');
    }

    private void number(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            long v = node.longValue();
            if (v <= MAX_EXACT_INTEGER && v >= -MAX_EXACT_INTEGER) {
                integer(v);
                return;
            }
        }
        double v = node.doubleValue();
        if (!Double.isFinite(v)) {
            throw new IllegalArgumentException("JSON numbers must be finite, got " + v);
        }
        // The two common shapes are written straight into the buffer; the rest take the general path.
        if (Es6Numbers.isSmallInteger(v)) {
            integer(v == 0 ? 0 : (long) v);
            return;
        }
        int k = Es6Numbers.fractionDigits(v);
        if (k == 0) {
            ascii(Es6Numbers.general(v));
            return;
        }
        long m = Math.round(Math.abs(v) * Es6Numbers.pow10(k));
        long unit = Es6Numbers.longPow10(k);
        if (v < 0) {
            put('-');
        }
        integer(m / unit);
        put('.');
        long fraction = m % unit;
        ensure(k);
        for (int i = k - 1; i >= 0; i--) {
            buf[len + i] = (byte) ('0' + fraction % 10);
            fraction /= 10;
        }
        len += k;
    }

    /** Writes a long in decimal without allocating. */
    private void integer(long v) {
        if (v < 0) {
            put('-');
            v = -v; // |v| <= 2^53 here, so no overflow
        }
        int digits = 1;
        for (long t = v; t >= 10; t /= 10) {
            digits++;
        }
        ensure(digits);
        for (int i = len + digits - 1; i >= len; i--) {
            buf[i] = (byte) ('0' + v % 10);
            v /= 10;
        }
        len += digits;
    }

    /** Strings at least this long are encoded in bulk by the JDK and then scanned for escapes. */
    private static final int BULK_STRING = 24;

    private void string(String s) {
        if (s.length() >= BULK_STRING) {
            bulkString(s);
            return;
        }
        int n = s.length();
        ensure(n + 2); // one byte per char and the quotes; multi-byte chars and escapes ask for more
        buf[len++] = '"';
        for (int i = 0; i < n; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                buf[len++] = (byte) c;
            } else if (c < 0x80) {
                ensure(6 + n - i);
                escape(c);
            } else if (c < 0x800) {
                ensure(2 + n - i);
                buf[len++] = (byte) (0xc0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException("String contains an unpaired UTF-16 surrogate");
                }
                int cp = Character.toCodePoint(c, s.charAt(++i));
                ensure(4 + n - i);
                buf[len++] = (byte) (0xf0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                buf[len++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                ensure(3 + n - i);
                buf[len++] = (byte) (0xe0 | (c >> 12));
                buf[len++] = (byte) (0x80 | ((c >> 6) & 0x3f));
                buf[len++] = (byte) (0x80 | (c & 0x3f));
            }
        }
        ensure(1);
        buf[len++] = '"';
    }

    /**
     * The same output as the char loop, faster for long strings: the JDK's (vectorised) UTF-8
     * encoder does the bulk, runs of plain bytes are copied whole, and only the bytes JSON must
     * escape (controls, quote, backslash: all ASCII, so never part of a multi-byte sequence) are
     * handled one by one.
     */
    private void bulkString(String s) {
        byte[] utf8 = s.getBytes(StandardCharsets.UTF_8);
        int n = utf8.length;
        ensure(n + 2);
        buf[len++] = '"';
        int run = 0;
        boolean questionMark = false;
        for (int i = 0; i < n; i++) {
            byte b = utf8[i];
            questionMark |= b == '?';
            if ((b >= 0 && b < 0x20) || b == '"' || b == '\\') {
                System.arraycopy(utf8, run, buf, len, i - run);
                len += i - run;
                ensure(6 + n - i);
                escape((char) b);
                run = i + 1;
            }
        }
        System.arraycopy(utf8, run, buf, len, n - run);
        len += n - run;
        buf[len++] = '"';
        if (questionMark) {
            requirePairedSurrogates(s); // the encoder writes '?' for an unpaired surrogate
        }
    }

    private static void requirePairedSurrogates(String s) {
        for (int i = 0, n = s.length(); i < n; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= n || !Character.isLowSurrogate(s.charAt(i + 1))) {
                    throw new IllegalArgumentException("String contains an unpaired UTF-16 surrogate");
                }
                i++;
            }
        }
    }

    /** Writes the escape of an ASCII character; the caller has ensured room for six bytes. */
    private void escape(char c) {
        char short_ = switch (c) {
            case '"' -> '"';
            case '\\' -> '\\';
            case '\b' -> 'b';
            case '\f' -> 'f';
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            default -> 0;
        };
        if (short_ != 0) {
            buf[len++] = '\\';
            buf[len++] = (byte) short_;
        } else {
            buf[len++] = '\\';
            buf[len++] = 'u';
            buf[len++] = '0';
            buf[len++] = '0';
            buf[len++] = HEX_DIGITS[c >> 4];
            buf[len++] = HEX_DIGITS[c & 0xf];
        }
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void raw(byte[] bytes) {
        ensure(bytes.length);
        System.arraycopy(bytes, 0, buf, len, bytes.length);
        len += bytes.length;
    }

    private void put(char c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
