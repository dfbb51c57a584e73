package io.keepsake.hashing;

import com.fasterxml.jackson.core.io.schubfach.DoubleToDecimal;

/**
 * Formats a double the way ECMAScript's {@code Number.prototype.toString} does, which is what
 * RFC 8785 prescribes for numbers. The shortest round-trip digits come from the Schubfach
 * algorithm shipped in jackson-core (JDK 17's {@code Double.toString} is not always shortest);
 * this class only rearranges those digits into the ECMAScript layout.
 */
final class Es6Numbers {

    /** 2^53: below it every integer-valued double prints as a plain integer. */
    private static final double EXACT_INTEGER_LIMIT = 9007199254740992.0;

    private Es6Numbers() {
    }

    static String format(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON numbers must be finite, got " + value);
        }
        if (value == 0) {
            return "0"; // also -0
        }
        if (value == Math.rint(value) && Math.abs(value) < EXACT_INTEGER_LIMIT) {
            return Long.toString((long) value);
        }
        return layout(DoubleToDecimal.toString(value), value);
    }

    /** Re-lays a Java-style shortest decimal ("-1.25E-7", "0.001", "123.5") in ECMAScript form. */
    private static String layout(String java, double value) {
        boolean negative = java.charAt(0) == '-';
        int start = negative ? 1 : 0;
        int ePos = java.indexOf('E');
        int mantissaEnd = ePos < 0 ? java.length() : ePos;
        int exponent = ePos < 0 ? 0 : Integer.parseInt(java, ePos + 1, java.length(), 10);

        StringBuilder digits = new StringBuilder(24);
        int fractionDigits = 0;
        boolean afterDot = false;
        for (int i = start; i < mantissaEnd; i++) {
            char c = java.charAt(i);
            if (c == '.') {
                afterDot = true;
            } else {
                if (digits.length() > 0 || c != '0') {
                    digits.append(c);
                    if (afterDot) {
                        fractionDigits++;
                    }
                } else if (afterDot) {
                    fractionDigits++; // leading zero after the dot still shifts the scale
                }
            }
        }
        // value = digits * 10^(exponent - fractionDigits); drop trailing zeros into the exponent
        int scale = exponent - fractionDigits;
        while (digits.length() > 1 && digits.charAt(digits.length() - 1) == '0') {
            digits.setLength(digits.length() - 1);
            scale++;
        }
        if (digits.length() == 2) {
            // Java prints two digits where one would do if two are closer; ECMAScript wants the fewest.
            scale = oneDigit(digits, scale, Math.abs(value));
        }
        int k = digits.length();
        int n = scale + k; // value = 0.d1..dk * 10^n

        StringBuilder out = new StringBuilder(32);
        if (negative) {
            out.append('-');
        }
        if (k <= n && n <= 21) {
            out.append(digits);
            for (int i = k; i < n; i++) {
                out.append('0');
            }
        } else if (0 < n && n <= 21) {
            out.append(digits, 0, n).append('.').append(digits, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.");
            for (int i = n; i < 0; i++) {
                out.append('0');
            }
            out.append(digits);
        } else {
            int e = n - 1;
            out.append(digits.charAt(0));
            if (k > 1) {
                out.append('.').append(digits, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
        return out.toString();
    }

    /** If a one-digit decimal reads back as {@code value}, rewrites {@code digits} to it; returns the scale. */
    private static int oneDigit(StringBuilder digits, int scale, double value) {
        int two = Integer.parseInt(digits, 0, 2, 10);
        int lower = two / 10;
        int upper = lower + 1;
        boolean lowerFits = Double.parseDouble(lower + "E" + (scale + 1)) == value;
        boolean upperFits = Double.parseDouble(upper + "E" + (scale + 1)) == value;
        if (!lowerFits && !upperFits) {
            return scale;
        }
        int chosen = lowerFits && (!upperFits || two - lower * 10 <= upper * 10 - two) ? lower : upper;
        digits.setLength(0);
        if (chosen == 10) {
            digits.append('1');
            return scale + 2;
        }
        digits.append(chosen);
        return scale + 1;
    }
}
