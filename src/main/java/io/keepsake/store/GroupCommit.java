package io.keepsake.store;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.Lock;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.function.Consumer;
import java.util.function.Supplier;

import org.h2.mvstore.DataUtils;
import org.h2.mvstore.MVStore;
import org.h2.mvstore.SFChunk;
import org.h2.mvstore.SingleFileStore;

import io.quarkus.logging.Log;

/**
 * Makes the embedded store's writes durable before they are acknowledged, many at a time. A
 * writer whose command has been applied takes a ticket and waits; one committer thread commits
 * the store (to the operating system, and to the disk itself when {@code forceToDisk}) and wakes
 * every writer whose ticket that commit covers. While one commit runs, the next group gathers, so
 * concurrent writers share commits instead of queueing for one each.
 * <p>
 * A commit stores whatever the store holds at that moment, so it must never fall in the middle of
 * a command that writes (a document written but its index entry not yet: after a crash the
 * document could then never be updated again). Such commands run under the read lock of
 * {@link #commands}; a commit takes its write lock, and so lands between them. Reads take no part
 * in that: a long query neither holds a commit up nor waits for one (the MVStore reads the
 * versions it has while a commit writes the file). The MVStore's own commits are off: the
 * background ones, and those it would otherwise make from a writer's thread, in the middle of a
 * command, once enough is unsaved (16 MB in a 256 MiB heap, at most 19 MB: a few large sessions
 * written at once).
 * <p>
 * A commit that fails (the disk full, a write the device refuses) leaves the store closed (the
 * MVStore closes itself on a failed write) and its file as of the last commit: the writers waiting
 * for it, and every one after, are refused, none of their writes is in the file, and
 * {@code failed} is told so, once, to open the file again.
 * <p>
 * So is its background housekeeping, which is what keeps the file from growing: the store
 * appends every commit as a new chunk, and a chunk that still holds one live page is never freed.
 * The committer therefore compacts as well, at most once per {@code housekeepingEvery} and only
 * after a commit (an idle store is left alone): while live data fills less than
 * {@link #TARGET_FILL_RATE} % of the chunks, it moves up to {@link #REWRITE_BYTES} of live pages
 * out of the emptiest ones, into the next commit, and the emptied chunks' space is reused. This
 * runs outside the commands' lock: commands go on, and the rewrite re-stores values as they are.
 */
final class GroupCommit implements AutoCloseable {

    static final int TARGET_FILL_RATE = 50;
    static final int REWRITE_BYTES = 2 << 20;

    private final MVStore store;
    private final boolean forceToDisk;
    private final long housekeepingEveryNanos;
    private long lastHousekeeping = System.nanoTime();
    private final Thread committer;
    private final ReentrantLock lock = new ReentrantLock();
    /** The committer waits here for tickets; a writer taking one wakes only it. */
    private final Condition requestedMore = lock.newCondition();
    /** Writers wait here for their commit; each commit wakes them all once. */
    private final Condition committedMore = lock.newCondition();
    /** Tickets handed out: each stands for writes applied before it was taken. */
    private long requested;
    /** Every ticket up to this one is committed. */
    private long committed;
    private RuntimeException failure;
    private boolean closed;
    /** Read lock: a command that writes being applied; write lock: a commit. */
    private final ReentrantReadWriteLock commands = new ReentrantReadWriteLock();
    /** Write lock: a change of indexes, which no other command may see half done (see EmbeddedBackend). */
    private final ReentrantReadWriteLock indexes = new ReentrantReadWriteLock();
    private final Consumer<RuntimeException> failed;

    /** What a command does to the store, and so what it must not overlap. */
    enum Access {
        /** Reads only: runs beside anything but a change of indexes, commits included. */
        READ,
        /** Writes: never in the middle of a commit. */
        WRITE,
        /** Changes indexes: alone, and never in the middle of a commit. */
        ALONE
    }

    /**
     * Opens (or creates) the store's file; {@code retention} (null: the MVStore default of 45 s) is
     * how long a chunk no longer needed is kept before its space is reused, in case the file system
     * wrote newer ones first.
     */
    GroupCommit(Path file, boolean forceToDisk, Duration retention, Duration housekeepingEvery, FileWrites writes,
            Consumer<RuntimeException> failed) {
        CheckedFileStore fileStore = new CheckedFileStore(writes);
        fileStore.open(file.toString(), false, null);
        this.failed = failed;
        this.store = new MVStore.Builder().adoptFileStore(fileStore)
                .compress() // LZF: JSON takes a third to half of the room; see the README's durability benchmark
                .autoCommitDisabled() // no background commits
                .autoCommitBufferSize(0) // and none from a writer's thread, however much is unsaved
                .open();
        if (retention != null) {
            store.setRetentionTime((int) retention.toMillis());
        }
        this.forceToDisk = forceToDisk;
        this.housekeepingEveryNanos = housekeepingEvery.toNanos();
        this.committer = new Thread(this::run, "keepsake-store-commit");
        this.committer.setDaemon(true);
        this.committer.start();
    }

    /** The store this commits. */
    MVStore store() {
        return store;
    }

    /** Applies a command as its access allows (see {@link Access}). */
    <T> T apply(Access access, Supplier<T> command) {
        Lock index = access == Access.ALONE ? indexes.writeLock() : indexes.readLock();
        Lock commit = access == Access.READ ? null : commands.readLock();
        index.lock();
        try {
            if (commit != null) {
                commit.lock();
            }
            try {
                return command.get();
            } finally {
                if (commit != null) {
                    commit.unlock();
                }
            }
        } finally {
            index.unlock();
        }
    }

    /** Whether a commit has gone through since the file was opened. */
    boolean committedAny() {
        lock.lock();
        try {
            return committed > 0;
        } finally {
            lock.unlock();
        }
    }

    /** Whether a commit has failed: the store is closed, and refuses every command. */
    boolean hasFailed() {
        lock.lock();
        try {
            return failure != null;
        } finally {
            lock.unlock();
        }
    }

    /** Returns once every write this thread has applied is committed; throws if the commit failed. */
    void awaitCommitted() {
        lock.lock();
        try {
            long ticket = ++requested;
            requestedMore.signal();
            while (committed < ticket && failure == null && !closed) {
                committedMore.awaitUninterruptibly(); // keeps an interrupt for the caller
            }
            if (committed < ticket) {
                throw failure != null ? failure : new IllegalStateException("the store is closing");
            }
        } finally {
            lock.unlock();
        }
    }

    private void run() {
        while (true) {
            long target;
            lock.lock();
            try {
                while (requested == committed && !closed) {
                    requestedMore.await();
                }
                if (closed) {
                    return;
                }
                target = requested;
            } catch (InterruptedException e) {
                return;
            } finally {
                lock.unlock();
            }
            RuntimeException failed = null;
            try {
                // Covers every write applied before a ticket up to target was taken.
                commands.writeLock().lock();
                try {
                    store.commit();
                } finally {
                    commands.writeLock().unlock();
                }
                if (forceToDisk) {
                    store.sync();
                }
            } catch (RuntimeException e) {
                failed = e;
            }
            lock.lock();
            try {
                if (failed != null) {
                    failure = failed;
                } else {
                    committed = target;
                }
                committedMore.signalAll();
            } finally {
                lock.unlock();
            }
            if (failed != null) {
                Log.errorf(failed, "The embedded store could not commit; the writes waiting for it are refused");
                this.failed.accept(failed);
                return;
            }
            keepHouse();
        }
    }

    /** Moves live pages out of mostly dead chunks now and then; the next commit stores them. */
    private void keepHouse() {
        long now = System.nanoTime();
        if (now - lastHousekeeping < housekeepingEveryNanos) {
            return;
        }
        lastHousekeeping = now;
        try {
            if (store.compact(TARGET_FILL_RATE, REWRITE_BYTES)) {
                lock.lock();
                try {
                    requested++; // a commit of its own, that no writer waits for
                    requestedMore.signal();
                } finally {
                    lock.unlock();
                }
            }
        } catch (RuntimeException e) {
            // Compaction is an optimisation: the data stays as committed, the file only larger.
            Log.warnf(e, "Store compaction failed");
        }
    }

    /** The data file, with each write shown to {@link FileWrites} first. */
    private static final class CheckedFileStore extends SingleFileStore {

        private final FileWrites writes;

        CheckedFileStore(FileWrites writes) {
            super(new HashMap<>());
            this.writes = writes;
        }

        @Override
        protected void writeFully(SFChunk chunk, long position, ByteBuffer source) {
            try {
                writes.check(position, source.remaining());
            } catch (IOException e) {
                throw DataUtils.newMVStoreException(DataUtils.ERROR_WRITING_FAILED, "Writing to {0} failed: {1}", this,
                        e.getMessage(), e);
            }
            super.writeFully(chunk, position, source);
        }
    }

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true;
            requestedMore.signalAll();
            committedMore.signalAll();
        } finally {
            lock.unlock();
        }
        try {
            committer.join(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
