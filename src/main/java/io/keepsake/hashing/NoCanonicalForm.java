package io.keepsake.hashing;

/** A value that has no canonical form (a non-finite number, an unpaired surrogate). */
final class NoCanonicalForm extends IllegalArgumentException {

    NoCanonicalForm(String message) {
        super(message);
    }

    /** Cheap to make: a stream goes on reading after one, and a body can hold many. */
    @Override
    public synchronized Throwable fillInStackTrace() {
        return this;
    }
}
