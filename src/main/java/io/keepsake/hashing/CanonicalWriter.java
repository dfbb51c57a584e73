package io.keepsake.hashing;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * The bytes of one canonical JSON text (RFC 8785) as they are written, in one growable buffer, and
 * the primitives that both writers share, from a tree ({@link CanonicalJson}) and from a token
 * stream ({@link CanonicalStream}): strings with the minimal JSON escapes in UTF-8, numbers as
 * ECMAScript prints them, literals and punctuation.
 */
final class CanonicalWriter {

    private static final byte[] HEX_DIGITS = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] NULL = {'n', 'u', 'l', 'l'};
    private static final byte[] TRUE = {'t', 'r', 'u', 'e'};
    private static final byte[] FALSE = {'f', 'a', 'l', 's', 'e'};
    private static final long MAX_EXACT_INTEGER = 1L << 53;
    /** Strings at least this long are encoded in bulk by the JDK and then scanned for escapes. */
    private static final int BULK_STRING = 24;

    private byte[] buf;
    private int len;
    /** Where a short string's chars are copied to be encoded. */
    private final char[] chars = new char[BULK_STRING];
    /** Where an object's members are copied aside to be put in order. */
    private byte[] scratch = new byte[0];

    CanonicalWriter(int sizeHint) {
        this.buf = new byte[Math.max(64, sizeHint)];
    }

    /** The text written so far, hashed. */
    Canonical canonical() {
        return new Canonical(buf, len, CanonicalJson.sha256Hex(buf, len));
    }

    int length() {
        return len;
    }

    void nullValue() {
        raw(NULL);
    }

    void bool(boolean value) {
        raw(value ? TRUE : FALSE);
    }

    /** An integer: exact up to 2^53 in magnitude, beyond it printed as the double it rounds to. */
    void integral(long v) {
        if (v <= MAX_EXACT_INTEGER && v >= -MAX_EXACT_INTEGER) {
            integer(v);
        } else {
            number((double) v);
        }
    }

    /** A number as ECMAScript prints it; non-finite values have no JSON form. */
    void number(double v) {
        if (!Double.isFinite(v)) {
            throw new NoCanonicalForm("JSON numbers must be finite, got " + v);
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

    /** A string; an unpaired surrogate has no UTF-8 form (IllegalArgumentException). */
    void string(String s) {
        int n = s.length();
        if (n >= BULK_STRING) {
            bulkString(s);
        } else {
            s.getChars(0, n, chars, 0);
            charString(chars, 0, n);
        }
    }

    /**
     * The same for a string held in {@code n} chars of {@code text} from {@code offset} (a parser's
     * buffer): encoded char by char at any length, since a String for the bulk path would cost
     * more than it saves.
     */
    void string(char[] text, int offset, int n) {
        charString(text, offset, n);
    }

    private void charString(char[] text, int offset, int n) {
        ensure(n + 2); // one byte per char and the quotes; multi-byte chars and escapes ask for more
        buf[len++] = '"';
        for (int i = offset, end = offset + n; i < end; i++) {
            char c = text[i];
            if (c >= 0x20 && c < 0x80 && c != '"' && c != '\\') {
                buf[len++] = (byte) c;
            } else if (c < 0x80) {
                ensure(6 + end - i);
                escape(c);
            } else if (c < 0x800) {
                ensure(2 + end - i);
                buf[len++] = (byte) (0xc0 | (c >> 6));
                buf[len++] = (byte) (0x80 | (c & 0x3f));
            } else if (Character.isSurrogate(c)) {
                if (!Character.isHighSurrogate(c) || i + 1 >= end || !Character.isLowSurrogate(text[i + 1])) {
                    throw unpairedSurrogate();
                }
                int cp = Character.toCodePoint(c, text[++i]);
                ensure(4 + end - i);
                buf[len++] = (byte) (0xf0 | (cp >> 18));
                buf[len++] = (byte) (0x80 | ((cp >> 12) & 0x3f));
                buf[len++] = (byte) (0x80 | ((cp >> 6) & 0x3f));
                buf[len++] = (byte) (0x80 | (cp & 0x3f));
            } else {
                ensure(3 + end - i);
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
                    throw unpairedSurrogate();
                }
                i++;
            }
        }
    }

    private static NoCanonicalForm unpairedSurrogate() {
        return new NoCanonicalForm("String contains an unpaired UTF-16 surrogate");
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

    /**
     * Rewrites the bytes from {@code from} on as the spans {@code spans[2i]..spans[2i+1]} of them
     * (absolute offsets, each within that region) in the given {@code order}, joined by commas: how
     * members written as they came are put in canonical order. The region is copied aside once.
     */
    void reorder(int from, int[] spans, int[] order, int count) {
        int n = len - from;
        if (scratch.length < n) {
            scratch = new byte[Math.max(n, scratch.length * 2)];
        }
        System.arraycopy(buf, from, scratch, 0, n);
        len = from;
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                buf[len++] = ',';
            }
            int start = spans[2 * order[i]];
            int size = spans[2 * order[i] + 1] - start;
            System.arraycopy(scratch, start - from, buf, len, size);
            len += size;
        }
    }

    /** Bytes that are canonical JSON already, as they are. */
    void raw(byte[] bytes, int offset, int n) {
        ensure(n);
        System.arraycopy(bytes, offset, buf, len, n);
        len += n;
    }

    private void ascii(String s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            buf[len++] = (byte) s.charAt(i);
        }
    }

    private void raw(byte[] bytes) {
        raw(bytes, 0, bytes.length);
    }

    void put(char c) {
        ensure(1);
        buf[len++] = (byte) c;
    }

    private void ensure(int extra) {
        if (len + extra > buf.length) {
            buf = Arrays.copyOf(buf, Math.max(buf.length * 2, len + extra));
        }
    }
}
