package io.keepsake.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.charset.StandardCharsets;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

/** Which strings are canonical as sent, and that the parser says where each string starts. */
class SentStringsTest {

    private static int end(String json) {
        return SentStrings.canonicalEnd(json.getBytes(StandardCharsets.UTF_8), 0);
    }

    @Test
    void aStringInItsCanonicalFormEndsAfterItsClosingQuote() {
        assertEquals(7, end("\"plain\" tail"));
        assertEquals(2, end("\"\""));
        assertEquals(24, end("\"\\\" \\\\ \\b\\f\\n\\r\\t\\u001f\""));
        assertEquals(12, end("\"é€😀\u007f\"")); // 1 + 2 + 3 + 4 + 1 + 1 bytes
    }

    @Test
    void anyOtherFormOfAStringIsDecodedAndWrittenAgain() {
        for (String json : new String[] {"\"\\/\"", "\"\\u0041\"", "\"\\u001F\"", "\"\\u0008\"", "\"\\u000a\"",
            "\"\\u00e9\"", "\"\\ud83d\\ude00\"", "\"\\x\"", "\"open", "\"\\", "\"\\u00\"", "plain", "\"a\u0001\""}) {
            assertEquals(-1, end(json), json);
        }
        byte[] overlong = {'"', (byte) 0xc0, (byte) 0xaf, '"'};
        byte[] surrogate = {'"', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '"'};
        byte[] beyondUnicode = {'"', (byte) 0xf4, (byte) 0x90, (byte) 0x80, (byte) 0x80, '"'};
        byte[] cut = {'"', (byte) 0xe2, (byte) 0x82, '"'};
        for (byte[] json : new byte[][] {overlong, surrogate, beyondUnicode, cut}) {
            assertEquals(-1, SentStrings.canonicalEnd(json, 0));
        }
    }

    @Test
    void theParserLocatesEachStringValueAtItsOpeningQuote() throws IOException {
        byte[] json = "{ \"name\" : \"value\", \"list\":[ \"a\",\"b\" ], \"é\":\"ü\"}".getBytes(StandardCharsets.UTF_8);
        int strings = 0;
        try (JsonParser parser = CanonicalStreamTest.FACTORY.createParser(json)) {
            for (JsonToken token = parser.nextToken(); token != null; token = parser.nextToken()) {
                if (token == JsonToken.VALUE_STRING) {
                    int at = (int) parser.currentTokenLocation().getByteOffset();
                    assertEquals(parser.getText(), new String(json, at + 1, SentStrings.canonicalEnd(json, at) - at - 2,
                            StandardCharsets.UTF_8));
                    strings++;
                }
            }
        }
        assertEquals(4, strings);
    }
}
