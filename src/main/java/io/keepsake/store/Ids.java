package io.keepsake.store;

import java.security.SecureRandom;
import java.util.regex.Pattern;

import com.aventrix.jnanoid.jnanoid.NanoIdUtils;


/** Resource ids: 12 random characters of the URL-safe nanoid alphabet (about 71 bits). */
public final class Ids {

    public static final int LENGTH = 12;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{" + LENGTH + "}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String next() {
        return NanoIdUtils.randomNanoId(RANDOM, NanoIdUtils.DEFAULT_ALPHABET, LENGTH);
    }

    /** Whether the text is a well-formed id. */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Validates an id from a path before it reaches a query: a malformed one is refused, not looked up. */
    public static String require(String id) {
        if (id == null || !VALID.matcher(id).matches()) {
            throw new InvalidIdException("Invalid id: expected " + LENGTH + " characters of A-Z, a-z, 0-9, '_' or '-'");
        }
        return id;
    }
}
