package io.keepsake.hashing;

/**
 * Strings whose bytes as sent are already their canonical form, found without decoding them: JSON
 * text in strictly valid UTF-8 (shortest forms, no surrogate code points), with no escape but
 * those RFC 8785 writes itself (backslash and one of {@code " \ b f n r t}, else backslash, u and
 * four lower-case hex digits for the other controls). Most strings a client sends are such, and
 * copying their bytes as they are gives what decoding to UTF-16 and encoding back would.
 */
final class SentStrings {

    private SentStrings() {
    }

    /**
     * Where the string that opens at {@code text[at]} ends (just after its closing quote) when its
     * bytes are its canonical form; -1 when they are not (or are not JSON), and the string must be
     * decoded and written again.
     */
    static int canonicalEnd(byte[] text, int at) {
        if (at < 0 || at >= text.length || text[at] != '"') {
            return -1;
        }
        int i = at + 1;
        while (i < text.length) {
            int b = text[i] & 0xff;
            if (b == '"') {
                return i + 1;
            } else if (b == '\\') {
                i = escape(text, i);
            } else if (b >= 0x20 && b < 0x80) {
                i++;
            } else {
                i = multiByte(text, i, b);
            }
            if (i < 0) {
                return -1;
            }
        }
        return -1;
    }

    /** After an escape written as canonical JSON writes it, or -1. */
    private static int escape(byte[] text, int i) {
        if (i + 1 >= text.length) {
            return -1;
        }
        switch (text[i + 1]) {
            case '"', '\\', 'b', 'f', 'n', 'r', 't' -> {
                return i + 2;
            }
            case 'u' -> {
                if (i + 5 >= text.length || text[i + 2] != '0' || text[i + 3] != '0') {
                    return -1;
                }
                int high = text[i + 4] - '0';
                int low = Character.digit(text[i + 5], 16);
                boolean shortForm = high == 0 && (low == 8 || low == 9 || low == 0xa || low == 0xc || low == 0xd);
                boolean lowerCase = text[i + 5] < 'A' || text[i + 5] > 'F';
                return (high == 0 || high == 1) && low >= 0 && lowerCase && !shortForm ? i + 6 : -1;
            }
            default -> {
                return -1;
            }
        }
    }

    /** After a strictly valid UTF-8 sequence that starts with byte {@code b} (0x80 or more), or -1. */
    private static int multiByte(byte[] text, int i, int b) {
        int n;
        int min = 0x80;
        int max = 0xbf; // the range of the second byte; the others are all 0x80..0xbf
        if (b >= 0xc2 && b <= 0xdf) {
            n = 2;
        } else if (b >= 0xe0 && b <= 0xef) {
            n = 3;
            min = b == 0xe0 ? 0xa0 : 0x80; // no overlong forms
            max = b == 0xed ? 0x9f : 0xbf; // no surrogates
        } else if (b >= 0xf0 && b <= 0xf4) {
            n = 4;
            min = b == 0xf0 ? 0x90 : 0x80;
            max = b == 0xf4 ? 0x8f : 0xbf; // nothing above U+10FFFF
        } else {
            return -1;
        }
        if (i + n > text.length) {
            return -1;
        }
        int second = text[i + 1] & 0xff;
        if (second < min || second > max) {
            return -1;
        }
        for (int k = 2; k < n; k++) {
            if ((text[i + k] & 0xc0) != 0x80) {
                return -1;
            }
        }
        return i + n;
    }
}
