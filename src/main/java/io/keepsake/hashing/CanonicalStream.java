package io.keepsake.hashing;

import java.io.IOException;
import java.util.Arrays;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;

/**
 * RFC 8785 straight from a JSON token stream, with the SHA-256 of the result: the same bytes and
 * hash as {@link CanonicalJson} over the tree the tokens would build, in one pass and without
 * building the tree. Members are written as they come, each one's span remembered; an object whose
 * names did not come in order (by UTF-16 code units) has its spans put in order when it closes,
 * through one copy aside. An object already in order costs one comparison per member. Given the
 * bytes the parser reads, a string sent in its canonical form (most are) is copied from them as it
 * is, never decoded (see {@link SentStrings}).
 */
public final class CanonicalStream {

    /** Objects of at most this many members are put in order by insertion sort, without allocating. */
    private static final int SMALL_OBJECT = 16;

    private final JsonParser parser;
    /** What the parser reads, or null: then every string is decoded and written again. */
    private final byte[] source;
    private final CanonicalWriter out;
    /** The members of the objects open at each level of nesting, kept for reuse. */
    private Members[] levels = new Members[8];
    private int depth;

    private CanonicalStream(JsonParser parser, byte[] source, int sizeHint) {
        this.parser = parser;
        this.source = source;
        this.out = new CanonicalWriter(sizeHint);
    }

    /**
     * Canonicalises and hashes the value that starts at the parser's current token, reading it to
     * its last token. A value without a canonical form is still read to its end, so that a syntax
     * error or a parser limit further on is what the caller hears, as from a parse into a tree; of
     * several such faults, the one reported is the one {@link CanonicalJson} would meet first.
     *
     * @param parser   at the value's first token; it must refuse duplicate member names
     *                 ({@link StreamReadFeature#STRICT_DUPLICATE_DETECTION}), which have no canonical form
     * @param source   the bytes the parser was created over (all of them, from offset 0), or null
     * @param sizeHint expected size in bytes (e.g. the request body length), to avoid regrowing
     * @throws IllegalArgumentException for a value that has no canonical form (non-finite numbers,
     *                                  strings with unpaired surrogates)
     * @throws IOException              for malformed JSON or a parser limit
     */
    public static Canonical of(JsonParser parser, byte[] source, int sizeHint) throws IOException {
        if (!parser.isEnabled(StreamReadFeature.STRICT_DUPLICATE_DETECTION)) {
            throw new IllegalStateException("Canonical JSON needs a parser that refuses duplicate member names");
        }
        CanonicalStream stream = new CanonicalStream(parser, source, sizeHint);
        NoCanonicalForm failure = stream.value(parser.currentToken());
        if (failure != null) {
            throw failure;
        }
        return stream.out.canonical();
    }

    /** The same, decoding every string (for a parser over other input than a byte array). */
    public static Canonical of(JsonParser parser, int sizeHint) throws IOException {
        return of(parser, null, sizeHint);
    }

    /** Writes one value; returns its first fault in canonical order (or null), having read it all. */
    private NoCanonicalForm value(JsonToken token) throws IOException {
        if (token == null) {
            throw new JsonParseException(parser, "Expected a JSON value, got the end of the input");
        }
        try {
            switch (token) {
                case START_OBJECT -> {
                    return object();
                }
                case START_ARRAY -> {
                    return array();
                }
                case VALUE_STRING -> string();
                case VALUE_NUMBER_INT -> {
                    if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
                        out.number(parser.getBigIntegerValue().doubleValue());
                    } else {
                        out.integral(parser.getLongValue());
                    }
                }
                case VALUE_NUMBER_FLOAT -> out.number(parser.getDoubleValue());
                case VALUE_TRUE -> out.bool(true);
                case VALUE_FALSE -> out.bool(false);
                case VALUE_NULL -> out.nullValue();
                default -> throw new JsonParseException(parser, "Expected a JSON value, got " + token);
            }
            return null;
        } catch (NoCanonicalForm e) {
            return e; // object() and array() return theirs; only a scalar's own write throws
        }
    }

    private void string() throws IOException {
        if (source != null) {
            // Left undecoded, the string is skipped by the parser's next step, which still checks it.
            int start = (int) parser.currentTokenLocation().getByteOffset();
            int end = SentStrings.canonicalEnd(source, start);
            if (end > 0) {
                out.raw(source, start, end - start);
                return;
            }
        }
        out.string(parser.getTextCharacters(), parser.getTextOffset(), parser.getTextLength());
    }

    private NoCanonicalForm object() throws IOException {
        out.put('{');
        Members members = open();
        for (String name = parser.nextFieldName(); name != null; name = parser.nextFieldName()) {
            if (members.count > 0) {
                out.put(',');
            }
            int start = out.length();
            NoCanonicalForm failure = name(name);
            out.put(':');
            NoCanonicalForm valueFailure = value(parser.nextToken());
            members.add(name, start, out.length(), failure != null ? failure : valueFailure);
        }
        depth--;
        if (!members.sorted) {
            out.reorder(members.spans[0], members.spans, members.order(), members.count);
        }
        out.put('}');
        return members.failure;
    }

    private NoCanonicalForm name(String name) {
        try {
            out.string(name);
            return null;
        } catch (NoCanonicalForm e) {
            return e;
        }
    }

    private NoCanonicalForm array() throws IOException {
        out.put('[');
        NoCanonicalForm failure = null;
        boolean first = true;
        for (JsonToken token = parser.nextToken(); token != JsonToken.END_ARRAY; token = parser.nextToken()) {
            if (!first) {
                out.put(',');
            }
            first = false;
            NoCanonicalForm elementFailure = value(token);
            if (failure == null) {
                failure = elementFailure;
            }
        }
        out.put(']');
        return failure;
    }

    private Members open() {
        if (depth == levels.length) {
            levels = Arrays.copyOf(levels, depth * 2);
        }
        if (levels[depth] == null) {
            levels[depth] = new Members();
        }
        Members members = levels[depth++];
        members.clear();
        return members;
    }

    /** The members of one object as written so far: names, spans, whether in order, first fault. */
    private static final class Members {

        String[] names = new String[8];
        /** Start and end offset of each member ({@code "name":value}) in the output. */
        int[] spans = new int[16];
        int[] order = new int[8];
        int count;
        boolean sorted;
        /** The fault of the member with the least name that has one: the first in canonical order. */
        NoCanonicalForm failure;
        String failureName;

        void clear() {
            count = 0;
            sorted = true;
            failure = null;
            failureName = null;
        }

        void add(String name, int start, int end, NoCanonicalForm fault) {
            if (count == names.length) {
                names = Arrays.copyOf(names, count * 2);
                spans = Arrays.copyOf(spans, count * 4);
            }
            if (count > 0 && names[count - 1].compareTo(name) > 0) {
                sorted = false;
            }
            if (fault != null && (failure == null || name.compareTo(failureName) < 0)) {
                failure = fault;
                failureName = name;
            }
            names[count] = name;
            spans[2 * count] = start;
            spans[2 * count + 1] = end;
            count++;
        }

        /** Member indexes by name (names are unique: the parser refuses duplicates). */
        int[] order() {
            if (order.length < count) {
                order = new int[names.length];
            }
            for (int i = 0; i < count; i++) {
                order[i] = i;
            }
            if (count <= SMALL_OBJECT) {
                for (int i = 1; i < count; i++) {
                    int member = order[i];
                    int j = i - 1;
                    for (; j >= 0 && names[order[j]].compareTo(names[member]) > 0; j--) {
                        order[j + 1] = order[j];
                    }
                    order[j + 1] = member;
                }
                return order;
            }
            Integer[] boxed = new Integer[count];
            Arrays.setAll(boxed, i -> i);
            Arrays.sort(boxed, (a, b) -> names[a].compareTo(names[b]));
            for (int i = 0; i < count; i++) {
                order[i] = boxed[i];
            }
            return order;
        }
    }
}
