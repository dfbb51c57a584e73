package io.keepsake.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The canonical form straight from the token stream: ECMAScript's numbers as in
 * {@link CanonicalJsonTest} (which runs RFC 8785's test data through both), members out of order
 * at every size, and the faults that have no canonical form, reported as the tree path reports them.
 */
class CanonicalStreamTest {

    static final JsonFactory FACTORY = JsonFactory.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(StreamReadFeature.USE_FAST_DOUBLE_PARSER)
            .build();
    private static final ObjectMapper JSON = new ObjectMapper(FACTORY);

    /** The canonical form of a JSON text, read from its first token to its end, its strings copied where they can be. */
    static Canonical streamed(byte[] json) throws IOException {
        return streamed(json, json);
    }

    /** The same, given what the parser reads ({@code source}) or not (null: every string decoded). */
    static Canonical streamed(byte[] json, byte[] source) throws IOException {
        try (JsonParser parser = FACTORY.createParser(json)) {
            parser.nextToken();
            Canonical canonical = CanonicalStream.of(parser, source, json.length);
            assertEquals(null, parser.nextToken(), "the value read to its last token, and no further");
            return canonical;
        }
    }

    static Canonical streamed(String json) throws IOException {
        return streamed(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void everyNumberPrintsAsEcmaScriptPrintsIt() throws IOException {
        List<String> lines = new String(CanonicalJsonTest.resource("es6-numbers.txt"), StandardCharsets.US_ASCII).lines().toList();
        StringBuilder sent = new StringBuilder("[");
        StringBuilder expected = new StringBuilder("[");
        for (String line : lines) {
            String[] parts = line.split(" ");
            double value = Double.longBitsToDouble(Long.parseUnsignedLong(parts[0], 16));
            // Java's own text of a double reads back as that double: what a client may send.
            assertEquals(parts[1], streamed(Double.toString(value)).text(), () -> "bits " + parts[0]);
            sent.append(sent.length() > 1 ? "," : "").append(value);
            expected.append(expected.length() > 1 ? "," : "").append(parts[1]);
        }
        assertEquals(expected.append(']').toString(), streamed(sent.append(']').toString()).text());
    }

    @Test
    void integersAreExactUpTo2To53AndBeyondPrintAsTheDoubleTheyRoundTo() throws IOException {
        assertEquals("[9007199254740992,-9007199254740992,9007199254740992,12345678901234567000,-9007199254740992,1e+30,0,0]",
                streamed("[9007199254740992, -9007199254740992, 9007199254740993, 12345678901234567890,"
                        + " -9007199254740992, 1000000000000000000000000000000, -0, -0.0]").text());
        assertEquals("[1e+21,1e-7,0.000001,100,1.5,-1234.5678]",
                streamed("[1e21, 1E-7, 0.1e-5, 1.00e2, 15e-1, -1234.5678000]").text());
    }

    @Test
    void membersComeOutInUtf16OrderWhateverOrderTheyCameIn() throws IOException {
        assertEquals("{\"\":0,\"a\":1,\"b\":{\"c\":3,\"d\":[{\"x\":1,\"y\":2}]}}",
                streamed("{\"b\":{\"d\":[{\"y\":2,\"x\":1}],\"c\":3},\"a\":1,\"\":0}").text());
        // U+FB33 comes before U+1F600 by code point, after it by UTF-16 code units (0xD83D 0xDE00).
        assertEquals("{\"\\n\":1,\"\u00e9\":2,\"\ud83d\ude00\":3,\"\ufb33\":4}",
                streamed("{\"\\ufb33\":4,\"\\ud83d\\ude00\":3,\"\u00e9\":2,\"\\n\":1}").text());
        for (int size : new int[] {2, 16, 17, 300}) {
            StringBuilder reversed = new StringBuilder("{");
            StringBuilder sorted = new StringBuilder("{");
            for (int i = size - 1; i >= 0; i--) {
                reversed.append(i < size - 1 ? "," : "").append("\"k").append(1000 + i).append("\":").append(i);
                sorted.append(i < size - 1 ? "," : "").append("\"k").append(1000 + size - 1 - i).append("\":").append(size - 1 - i);
            }
            assertEquals(sorted.append('}').toString(), streamed(reversed.append('}').toString()).text(), "size " + size);
        }
    }

    @Test
    void stringsAreCopiedAsSentOnlyWhenThatIsTheirCanonicalForm() throws IOException {
        String[] texts = {"plain", "\\\"\\\\\\b\\f\\n\\r\\t\\u0000\\u001f\\u000b", "\\/", "\\u0041", "\\u001F",
            "\\u0008", "\\u000a", "\\u00e9", "\\ud83d\\ude00", "é€😀\u007f\u2028\uffff"};
        for (String text : texts) {
            String json = "[\"" + text + "\",{\"" + text + "\":\"" + text + "\"}]";
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            assertEquals(streamed(bytes, null).text(), streamed(bytes).text(), json);
            assertEquals(CanonicalJson.of(JSON.readTree(bytes)).text(), streamed(bytes).text(), json);
        }
    }

    @Test
    void bytesThatAreNotStrictUtf8AreReadAsATreeReadsThem() throws IOException {
        int[][] sequences = {{0xc0, 0xaf}, {0xc1, 0xbf}, {0xe0, 0x80, 0xaf}, {0xed, 0xa0, 0x80}, {0xed, 0xbf, 0xbf},
            {0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80}, {0xf0, 0x80, 0x80, 0xaf}, {0xf4, 0x90, 0x80, 0x80}, {0xf5, 0x80, 0x80, 0x80},
            {0x80}, {0xbf}, {0xc3}, {0xe2, 0x82}, {0xf0, 0x9f, 0x98}, {0xff}, {0xc3, 0xa9}, {0xef, 0xbf, 0xbf},
            {0xf4, 0x8f, 0xbf, 0xbf}, {0x7f}, {0x1f}};
        for (int[] sequence : sequences) {
            byte[] bytes = new byte[sequence.length + 6];
            bytes[0] = '[';
            bytes[1] = '"';
            for (int i = 0; i < sequence.length; i++) {
                bytes[2 + i] = (byte) sequence[i];
            }
            bytes[sequence.length + 2] = 'x';
            bytes[sequence.length + 3] = '"';
            bytes[sequence.length + 4] = ']';
            bytes[sequence.length + 5] = ' ';
            assertEquals(outcome(() -> CanonicalJson.of(JSON.readTree(bytes))), outcome(() -> streamed(bytes)),
                    java.util.Arrays.toString(sequence));
        }
    }

    private interface Canonicalisation {
        Canonical run() throws IOException;
    }

    private static String outcome(Canonicalisation canonicalisation) {
        try {
            return canonicalisation.run().text();
        } catch (IOException | IllegalArgumentException e) {
            return e.getClass().getSimpleName() + ": " + e.getMessage().lines().findFirst().orElse("");
        }
    }

    @Test
    void theHashIsTheSha256OfTheCanonicalBytes() throws IOException {
        assertEquals("44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a", streamed(" { } ").sha256());
        assertEquals("015abd7f5cc57a2dd94b7590f04ad8084273905ee33ec5cebeae62276a97f862",
                streamed("{ \"a\" : 1.0 }").sha256());
    }

    @Test
    void unpairedSurrogatesAndNonFiniteNumbersHaveNoCanonicalForm() {
        String longText = "x".repeat(100);
        for (String json : List.of("\"a\\ud800b\"", "{\"a\":[\"\\udc00\"]}", "\"" + longText + "\\ud83d" + longText + "\"",
                "\"" + longText + "é\\ude02\"", "[1e400]", "{\"a\":[-1e309]}")) {
            assertThrows(IllegalArgumentException.class, () -> streamed(json), json);
        }
    }

    @Test
    void ofSeveralFaultsTheOneReportedIsTheFirstInCanonicalOrder() throws IOException {
        for (String json : List.of("{\"b\":\"\\ud800\",\"a\":1e400}", "{\"b\":1e400,\"a\":{\"x\":\"\\udc00\"}}",
                "[{\"z\":-1e400,\"y\":[1,\"\\ud800\"]},1e999]", "{\"c\":\"\\ud800\",\"a\":[2e400]}")) {
            String tree = assertThrows(IllegalArgumentException.class, () -> CanonicalJson.of(JSON.readTree(json))).getMessage();
            String stream = assertThrows(IllegalArgumentException.class, () -> streamed(json)).getMessage();
            assertEquals(tree, stream, json);
        }
    }

    @Test
    void aFaultDoesNotStopTheReadingSoAnErrorFurtherOnIsHeard() throws IOException {
        try (JsonParser parser = FACTORY.createParser("[\"\\ud800\", 1, {\"a\": tru}]")) {
            parser.nextToken();
            assertThrows(com.fasterxml.jackson.core.JsonParseException.class, () -> CanonicalStream.of(parser, 16));
        }
    }

    @Test
    void theParserIsLeftAtTheValuesLastToken() throws IOException {
        try (JsonParser parser = FACTORY.createParser("[{\"b\":1,\"a\":[2]}, \"next\"]")) {
            parser.nextToken();
            parser.nextToken();
            assertEquals("{\"a\":[2],\"b\":1}", CanonicalStream.of(parser, 1).text());
            assertEquals(JsonToken.END_OBJECT, parser.currentToken());
            assertEquals(JsonToken.VALUE_STRING, parser.nextToken());
        }
    }

    @Test
    void aParserThatWouldLetDuplicateNamesThroughIsNotUsed() throws IOException {
        try (JsonParser parser = new JsonFactory().createParser("{\"a\":1,\"a\":2}")) {
            parser.nextToken();
            assertThrows(IllegalStateException.class, () -> CanonicalStream.of(parser, 16));
        }
    }
}
