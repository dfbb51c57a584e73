package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.time.Duration;

import org.h2.mvstore.MVMap;
import org.h2.mvstore.MVStore;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GroupCommitTest {

    @TempDir
    Path dir;

    @Test
    void aCommandIsNeverCommittedHalfWayHoweverMuchItWrites() {
        GroupCommit commits = new GroupCommit(dir.resolve("store.mv.db"), false, null, Duration.ofHours(1), FileWrites.NONE,
                failure -> {
                });
        MVStore store = commits.store();
        try {
            MVMap<Integer, byte[]> map = store.openMap("large");
            // More than the MVStore would hold unsaved before committing on its own (19 MB at most).
            long commitsDuring = commits.apply(GroupCommit.Access.WRITE, () -> {
                long before = store.getCurrentVersion();
                for (int i = 0; i < 24; i++) {
                    map.put(i, new byte[1 << 20]);
                }
                return store.getCurrentVersion() - before;
            });
            assertEquals(0, commitsDuring, "the store committed in the middle of a command");

            long before = store.getCurrentVersion();
            commits.awaitCommitted();
            assertEquals(before + 1, store.getCurrentVersion(), "one commit for the command's writes");
            assertEquals(24, map.size());
        } finally {
            commits.close();
            store.close();
        }
    }
}
