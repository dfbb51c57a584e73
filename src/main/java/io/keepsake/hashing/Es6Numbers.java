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
    /** Fraction digits the fast path tries; exact powers of ten as doubles. */
    private static final int FAST_DIGITS = 9;
    private static final double[] POW10 = {1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9};
    private static final long[] LONG_POW10 = {1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000,
        100_000_000, 1_000_000_000};

    private Es6Numbers() {
    }

    static String format(double value) {
        if (!Double.isFinite(value)) {
            throw new IllegalArgumentException("JSON numbers must be finite, got " + value);
        }
        if (value == 0) {
            return "0"; // also -0
        }
        if (isSmallInteger(value)) {
            return Long.toString((long) value);
        }
        int k = fractionDigits(value);
        if (k > 0) {
            long m = Math.round(Math.abs(value) * POW10[k]);
            String fraction = Long.toString(m % LONG_POW10[k]);
            return (value < 0 ? "-" : "") + (m / LONG_POW10[k]) + "." + "0".repeat(k - fraction.length()) + fraction;
        }
        return general(value);
    }

    /** The general path, for finite values that are neither small integers nor few-digit decimals. */
    static String general(double value) {
        String shortest = DoubleToDecimal.toString(value);
        double abs = Math.abs(value);
        if (abs >= 1e-3 && abs < 1e7) {
            return shortest; // Java prints this range as a plain decimal too, digit for digit
        }
        return layout(shortest, value);
    }

    /**
     * The common case of a decimal with few fraction digits (1.5, 0.25, 1234.567): the smallest k
     * for which m = round(|value| * 10^k) satisfies m / 10^k == |value| gives the shortest digits,
     * because m and 10^k are exact doubles and IEEE division rounds correctly. Returns k (m is
     * then {@code Math.round(Math.abs(value) * 10^k)}), or 0 when the value needs the general path.
     * Within the accepted range ECMAScript prints such values as plain decimals.
     */
    static int fractionDigits(double value) {
        double abs = Math.abs(value);
        if (abs < 1e-6 || abs >= 1e15) {
            return 0;
        }
        for (int k = 1; k <= FAST_DIGITS; k++) {
            double scaled = abs * POW10[k];
            if (scaled >= EXACT_INTEGER_LIMIT) {
                return 0;
            }
            if (Math.round(scaled) / POW10[k] == abs) {
                return k;
            }
        }
        return 0;
    }

    static double pow10(int k) {
        return POW10[k];
    }

    static long longPow10(int k) {
        return LONG_POW10[k];
    }

    /** Whether ECMAScript prints this finite double as a plain integer (and Long.toString matches it). */
    static boolean isSmallInteger(double value) {
        return value == Math.rint(value) && Math.abs(value) < EXACT_INTEGER_LIMIT;
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
