package io.keepsake.testing;

import java.io.IOException;

import io.keepsake.store.FileWrites;

/** A disk under the embedded store that tests fill up and free again: while full, every file write fails as ENOSPC does. */
public final class FullDisk implements FileWrites {

    private volatile boolean full;
    private volatile int refused;

    @Override
    public void check(long position, int length) throws IOException {
        if (full) {
            refused++;
            throw new IOException("No space left on device");
        }
    }

    public void fill() {
        full = true;
    }

    public void free() {
        full = false;
    }

    /** How many writes of the data file were refused (roughly: counted without a lock). */
    public int refused() {
        return refused;
    }
}
