package io.keepsake.store;

import java.security.SecureRandom;
import java.util.regex.Pattern;

import com.aventrix.jnanoid.jnanoid.NanoIdUtils;


/**
 * Resource ids: 12 random characters of the URL-safe nanoid alphabet (about 71 bits) for new
 * ones. Ids of 8 characters, which the original workbench used before it moved to 12, are
 * accepted too, so that its imported sessions and shared links keep working.
 */
public final class Ids {

    public static final int LENGTH = 12;
    /** The original workbench's first id length. */
    public static final int LEGACY_LENGTH = 8;
    private static final Pattern VALID = Pattern.compile("[A-Za-z0-9_-]{" + LEGACY_LENGTH + "}|[A-Za-z0-9_-]{" + LENGTH + "}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private Ids() {
    }

    public static String next() {
        return NanoIdUtils.randomNanoId(RANDOM, NanoIdUtils.DEFAULT_ALPHABET, LENGTH);
    }

    /** Whether the text is a well-formed id (new or the original workbench's). */
    public static boolean isValid(String id) {
        return id != null && VALID.matcher(id).matches();
    }

    /** Validates an id from a path before it reaches a query: a malformed one is refused, not looked up. */
    public static String require(String id) {
        if (!isValid(id)) {
            throw new InvalidIdException("Invalid id: expected " + LENGTH + " (or " + LEGACY_LENGTH
                    + ") characters of A-Z, a-z, 0-9, '_' or '-'");
        }
        return id;
    }
}
