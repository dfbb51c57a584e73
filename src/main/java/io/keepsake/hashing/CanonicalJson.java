package io.keepsake.hashing;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.Map;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * RFC 8785 (JSON Canonicalization Scheme) over a Jackson tree, with the SHA-256 of the result.
 * Object members are sorted by UTF-16 code units ({@link String#compareTo} is exactly that),
 * numbers are printed as ECMAScript does, strings use the minimal JSON escapes and UTF-8.
 * The canonical bytes are written straight into one growable buffer and hashed from it.
 * A request body's content takes {@link CanonicalStream} instead, which gives the same bytes
 * without the tree.
 */
public final class CanonicalJson {

    private static final HexFormat HEX = HexFormat.of();
    /** Member order: by UTF-16 code units, which is what {@link String#compareTo} compares. */
    private static final Comparator<Map.Entry<String, JsonNode>> BY_NAME = Map.Entry.comparingByKey();

    private final CanonicalWriter out;

    private CanonicalJson(int sizeHint) {
        this.out = new CanonicalWriter(sizeHint);
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
        return writer.out.canonical();
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
            case STRING -> out.string(node.textValue());
            case NUMBER -> number(node);
            case BOOLEAN -> out.bool(node.booleanValue());
            case NULL -> out.nullValue();
            default -> throw new IllegalArgumentException("Not a JSON value: " + node.getNodeType());
        }
    }

    @SuppressWarnings("unchecked")
    private void object(JsonNode node) {
        Map.Entry<String, JsonNode>[] members = node.properties().toArray(new Map.Entry[0]);
        if (members.length > 1) {
            Arrays.sort(members, BY_NAME);
        }
        out.put('{');
        for (int i = 0; i < members.length; i++) {
            if (i > 0) {
                out.put(',');
            }
            out.string(members[i].getKey());
            out.put(':');
            value(members[i].getValue());
        }
        out.put('}');
    }

    private void array(JsonNode node) {
        out.put('[');
        for (int i = 0, n = node.size(); i < n; i++) {
            if (i > 0) {
                out.put(',');
            }
            value(node.get(i));
        }
        out.put(']');
    }

    /** Integers that fit a long are exact up to 2^53; every other number goes through its double. */
    private void number(JsonNode node) {
        if (node.isIntegralNumber() && node.canConvertToLong()) {
            out.integral(node.longValue());
        } else {
            out.number(node.doubleValue());
        }
    }
}
