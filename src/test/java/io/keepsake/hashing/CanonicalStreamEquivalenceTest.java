package io.keepsake.hashing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

/**
 * The streamed canonical form is the tree's, byte for byte and hash for hash, for thousands of
 * random JSON texts: nested objects with members in any order (names with escapes, controls,
 * accents and surrogate pairs), numbers of every shape, and now and then a value with no
 * canonical form, which must be refused with the same message.
 */
class CanonicalStreamEquivalenceTest {

    private static final ObjectMapper TREE = new ObjectMapper(CanonicalStreamTest.FACTORY);
    private static final String[] NUMBERS = {"0", "-0", "-0.0", "0.0", "1", "-1", "1e21", "1e-7", "1E+21", "1e20",
        "9007199254740992", "9007199254740993", "-9007199254740993", "9223372036854775807", "-9223372036854775808",
        "9223372036854775808", "123456789012345678901234567890", "-98765432109876543210", "5e-324", "4.9e-324",
        "1.7976931348623157e308", "0.1", "0.000001", "0.0000001", "123.456", "1.5e300", "2.5E-300", "100.0e-2",
        "333333333.33333329", "1424953923781206.25", "0.30000000000000004"};
    private static final String[] FAULTY_NUMBERS = {"1e400", "-1e309", "123e99999"};
    /** Characters names and strings are made of; each may be sent raw (where JSON allows) or escaped. */
    private static final String ALPHABET = "abcxyzAZ09 _-\"\\/\b\f\n\r\t\u0000\u001f\u007f\u0080éöß€\u2028\ufb33\uffff😀😂🦄";

    private final Random random = new Random(8785);

    @Test
    void randomValuesCanonicaliseTheSameFromTheTokenStreamAsFromTheTree() throws Exception {
        int faults = 0;
        for (int round = 0; round < 3000; round++) {
            boolean faulty = round % 10 == 9;
            String json = value(0, faulty);
            byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
            String tree = outcome(() -> CanonicalJson.of(TREE.readTree(bytes), bytes.length));
            int sizeHint = round % 3 == 0 ? 1 : bytes.length;
            boolean withSource = round % 2 == 0;
            String stream = outcome(() -> streamed(bytes, sizeHint, withSource));
            assertEquals(tree, stream, json);
            faults += tree.startsWith("fault") ? 1 : 0;
        }
        assertTrue(faults > 80, "enough faults tried: " + faults);
    }

    @Test
    void largeDeepValuesToo() throws Exception {
        for (int round = 0; round < 20; round++) {
            StringBuilder big = new StringBuilder("[");
            for (int i = 0; i < 200; i++) {
                big.append(i > 0 ? "," : "").append(value(0, false));
            }
            byte[] bytes = big.append(']').toString().getBytes(StandardCharsets.UTF_8);
            assertEquals(outcome(() -> CanonicalJson.of(TREE.readTree(bytes), 64)), outcome(() -> streamed(bytes, 64, true)));
        }
    }

    private interface Canonicalisation {
        Canonical run() throws Exception;
    }

    private static String outcome(Canonicalisation canonicalisation) throws Exception {
        try {
            Canonical canonical = canonicalisation.run();
            return canonical.sha256() + ' ' + canonical.length() + ' ' + canonical.text();
        } catch (IllegalArgumentException e) {
            return "fault " + e.getMessage();
        } catch (JsonProcessingException e) {
            return "malformed " + e.getMessage(); // the parser refuses a name with an unpaired surrogate
        }
    }

    /** Without the bytes the parser reads when not {@code withSource}, so that every string is decoded. */
    private static Canonical streamed(byte[] json, int sizeHint, boolean withSource) throws Exception {
        try (JsonParser parser = CanonicalStreamTest.FACTORY.createParser(json)) {
            parser.nextToken();
            return CanonicalStream.of(parser, withSource ? json : null, sizeHint);
        }
    }

    private String value(int depth, boolean faulty) {
        int kind = random.nextInt(depth < 5 ? 10 : 6);
        return switch (kind) {
            case 0, 1 -> string(faulty).json;
            case 2, 3 -> number(faulty);
            case 4 -> random.nextBoolean() ? "true" : "false";
            case 5 -> "null";
            case 6, 7 -> array(depth, faulty);
            default -> object(depth, faulty);
        };
    }

    private String object(int depth, boolean faulty) {
        int size = random.nextInt(8) == 0 ? 17 + random.nextInt(30) : random.nextInt(6);
        List<Text> names = new ArrayList<>();
        Set<String> seen = new HashSet<>();
        while (names.size() < size) {
            Text name = string(faulty);
            if (seen.add(name.value)) {
                names.add(name);
            }
        }
        if (random.nextInt(3) == 0) {
            names.sort((a, b) -> a.value.compareTo(b.value)); // already in canonical order
        }
        StringBuilder out = new StringBuilder().append('{').append(space());
        for (int i = 0; i < names.size(); i++) {
            out.append(i > 0 ? "," + space() : "").append(names.get(i).json).append(space()).append(':')
                    .append(space()).append(value(depth + 1, faulty)).append(space());
        }
        return out.append('}').toString();
    }

    private String array(int depth, boolean faulty) {
        StringBuilder out = new StringBuilder().append('[').append(space());
        for (int i = 0, n = random.nextInt(6); i < n; i++) {
            out.append(i > 0 ? "," + space() : "").append(value(depth + 1, faulty)).append(space());
        }
        return out.append(']').toString();
    }

    private String number(boolean faulty) {
        return switch (random.nextInt(faulty ? 7 : 6)) {
            case 0 -> NUMBERS[random.nextInt(NUMBERS.length)];
            case 1 -> Long.toString(random.nextLong() >> random.nextInt(64));
            case 2 -> Double.toString(Double.longBitsToDouble(random.nextLong())).replace("Infinity", "1").replace("NaN", "2");
            case 3 -> (random.nextBoolean() ? "-" : "") + random.nextInt(100_000) + "." + random.nextInt(1000);
            case 4 -> random.nextInt(1000) + (random.nextBoolean() ? "e" : "E") + (random.nextBoolean() ? "-" : "+")
                    + random.nextInt(330);
            case 5 -> Double.toString(random.nextDouble() * Math.pow(10, random.nextInt(40) - 20));
            default -> FAULTY_NUMBERS[random.nextInt(FAULTY_NUMBERS.length)];
        };
    }

    /** A string as Java holds it and as JSON text sends it. */
    private record Text(String value, String json) {
    }

    private Text string(boolean faulty) {
        StringBuilder value = new StringBuilder();
        StringBuilder json = new StringBuilder("\"");
        int length = random.nextInt(5) == 0 ? 20 + random.nextInt(60) : random.nextInt(6);
        for (int i = 0; i < length; i++) {
            int at = random.nextInt(ALPHABET.length());
            char c = ALPHABET.charAt(at);
            String one = Character.isHighSurrogate(c) ? ALPHABET.substring(at, at + 2)
                    : Character.isLowSurrogate(c) ? ALPHABET.substring(at - 1, at + 1) : String.valueOf(c);
            if (faulty && random.nextInt(400) == 0) {
                one = random.nextBoolean() ? "\ud800" : "\udc01"; // unpaired: no canonical form, sent escaped
            }
            value.append(one);
            if (one.length() == 2 && random.nextBoolean()) {
                json.append(one); // a pair sent raw, as UTF-8
            } else {
                for (char unit : one.toCharArray()) {
                    json.append(escaped(unit, Character.isSurrogate(unit)));
                }
            }
        }
        return new Text(value.toString(), json.append('"').toString());
    }

    private String escaped(char c, boolean mustEscape) {
        boolean control = c < 0x20;
        if (!mustEscape && !control && c != '"' && c != '\\' && random.nextInt(4) != 0) {
            return String.valueOf(c);
        }
        String shortForm = switch (c) {
            case '"' -> "\\\"";
            case '\\' -> "\\\\";
            case '/' -> "\\/";
            case '\b' -> "\\b";
            case '\f' -> "\\f";
            case '\n' -> "\\n";
            case '\r' -> "\\r";
            case '\t' -> "\\t";
            default -> null;
        };
        if (shortForm != null && random.nextBoolean()) {
            return shortForm;
        }
        String hex = String.format("\\u%04x", (int) c);
        return random.nextBoolean() ? hex : hex.toUpperCase().replace("\\U", "\\u");
    }

    private String space() {
        return switch (random.nextInt(8)) {
            case 0 -> " ";
            case 1 -> "\n  ";
            case 2 -> "\t";
            default -> "";
        };
    }
}
