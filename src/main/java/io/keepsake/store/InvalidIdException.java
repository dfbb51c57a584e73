package io.keepsake.store;

/** An id that cannot be one (wrong length or characters): refused before it reaches a query. */
public final class InvalidIdException extends RuntimeException {

    public InvalidIdException(String message) {
        super(message, null, false, false);
    }
}
