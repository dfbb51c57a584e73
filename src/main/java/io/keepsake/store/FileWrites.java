package io.keepsake.store;

import java.io.IOException;

/**
 * Looks at each write of the embedded store's data file before it is made, and may refuse it as
 * the file system would (a full disk, a failing device): what tests put under the store to play
 * those faults. The service's own store refuses nothing here.
 */
@FunctionalInterface
public interface FileWrites {

    FileWrites NONE = (position, length) -> {
    };

    /** Throws what the file system would throw for a write of {@code length} bytes at {@code position}. */
    void check(long position, int length) throws IOException;
}
