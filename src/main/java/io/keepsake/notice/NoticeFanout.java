package io.keepsake.notice;

import java.time.Duration;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;

import jakarta.enterprise.context.ApplicationScoped;

import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;

/**
 * This instance's fan-out. Notices reach it from the publisher (written here) and from the feed
 * (written anywhere): perhaps twice, late, or ahead of others. Each user's stream hands them to
 * that user's listeners (WebSocket connections, long polls) once each and in order, reading from
 * the log whatever it has not been handed. A stream exists while its user has listeners here.
 */
@ApplicationScoped
public class NoticeFanout {

    /** Hears one user's notices. Called under the stream's lock, in order: return quickly, never block. */
    public interface Listener {

        /** The stream's position when the listener joined: it hears every notice after it. Called first. */
        void start(long position);

        void onNotice(Notice notice);

        /** Notices were skipped (they expired before they could be handed out): what depends on them is unsure. */
        default void skipped() {
        }

        /** The stream could not start (the store is unreachable); the listener has been removed. */
        default void failed(Throwable error) {
        }
    }

    private static final Duration RETRY = Duration.ofSeconds(1);

    private final NoticeLog log;
    private final Map<String, Stream> streams = new ConcurrentHashMap<>();
    /** Told when a user starts listening here: the tailing feed runs only while someone does. */
    private volatile Runnable whenListened = () -> { };

    public NoticeFanout(NoticeLog log) {
        this.log = log;
    }

    /** Adds a listener to its user's stream; its {@link Listener#start} comes once the stream knows its position. */
    public void listen(String userId, Listener listener) {
        while (true) {
            Stream fresh = new Stream(userId);
            Stream existing = streams.putIfAbsent(userId, fresh);
            Stream stream = existing != null ? existing : fresh;
            if (stream.add(listener)) {
                if (existing == null) {
                    whenListened.run(); // before the stream reads where the user's log ends
                    fresh.load();
                }
                return;
            }
            // That stream just lost its last listener and is going: join its successor.
        }
    }

    /** Runs {@code action} each time a user with no listeners here gets one. */
    public void whenListened(Runnable action) {
        this.whenListened = action;
    }

    public void unlisten(String userId, Listener listener) {
        Stream stream = streams.get(userId);
        if (stream != null) {
            stream.remove(listener);
        }
    }

    /** A notice stored by anyone; ignored unless its user listens here. */
    public void offer(Notice notice) {
        Stream stream = streams.get(notice.userId);
        if (stream != null) {
            stream.offer(notice);
        }
    }

    /** The user's log is known to reach {@code seq}: what the stream has not had yet, it reads. */
    public void reaches(String userId, long seq) {
        Stream stream = streams.get(userId);
        if (stream != null) {
            stream.reaches(seq);
        }
    }

    /** The users with listeners here. */
    public Set<String> users() {
        return streams.keySet();
    }

    /** The last notice handed to the user's listeners here, or -1 when none listen (or not yet known). */
    public long position(String userId) {
        Stream stream = streams.get(userId);
        return stream == null ? -1 : stream.position();
    }

    public int listenerCount() {
        return streams.values().stream().mapToInt(Stream::size).sum();
    }

    private final class Stream {

        private final String userId;
        private final Set<Listener> listeners = new LinkedHashSet<>();
        /** Notices that came before the ones preceding them, by number. */
        private final TreeMap<Long, Notice> ahead = new TreeMap<>();
        /** The last notice handed to the listeners; -1 until the log's end is read. Written under the lock. */
        private volatile long head = -1;
        private boolean retired;
        /** The highest number known to be stored. */
        private long known;
        private boolean reading;

        Stream(String userId) {
            this.userId = userId;
        }

        /** False when the stream has been retired (its last listener left). */
        synchronized boolean add(Listener listener) {
            if (retired) {
                return false;
            }
            listeners.add(listener);
            if (head >= 0) {
                listener.start(head);
            }
            return true;
        }

        /** The last listener to leave retires the stream. */
        synchronized void remove(Listener listener) {
            if (listeners.remove(listener) && listeners.isEmpty()) {
                retired = true;
                streams.remove(userId, this);
            }
        }

        synchronized int size() {
            return listeners.size();
        }

        /** Not synchronized: a listener may ask while holding its own lock. */
        long position() {
            return head;
        }

        void load() {
            log.head(userId).subscribe().with(this::loaded, this::failed);
        }

        private synchronized void loaded(long end) {
            head = end;
            known = Math.max(known, end);
            for (Listener listener : List.copyOf(listeners)) {
                listener.start(head);
            }
            handOut();
        }

        private void failed(Throwable error) {
            List<Listener> gone;
            synchronized (this) {
                gone = List.copyOf(listeners);
                listeners.clear();
                retired = true;
                streams.remove(userId, this);
            }
            gone.forEach(listener -> listener.failed(error));
        }

        synchronized void offer(Notice notice) {
            if (head >= 0 && notice.seq <= head) {
                return;
            }
            ahead.put(notice.seq, notice);
            known = Math.max(known, notice.seq);
            if (head >= 0) {
                handOut();
            }
        }

        synchronized void reaches(long seq) {
            if (seq > known) {
                known = seq;
                if (head >= 0) {
                    handOut();
                }
            }
        }

        /** Hands out the unbroken run after head; reads the log when a notice before a known one is missing. */
        private void handOut() {
            while (!ahead.isEmpty() && ahead.firstKey() <= head + 1) {
                Notice notice = ahead.pollFirstEntry().getValue();
                if (notice.seq == head + 1) {
                    head = notice.seq;
                    // A copy: a listener may leave while it hears (a long poll that got its answer).
                    for (Listener listener : List.copyOf(listeners)) {
                        try {
                            listener.onNotice(notice);
                        } catch (RuntimeException e) {
                            Log.warnf("A notice listener failed: %s", e.getMessage());
                        }
                    }
                }
            }
            if (!reading && known > head && !listeners.isEmpty()) {
                read();
            }
        }

        private void read() {
            reading = true;
            long from = head;
            int count = (int) Math.min(NoticeLog.PAGE, known - head);
            log.after(userId, from, count).subscribe().with(found -> read(from, found), error -> {
                Log.debugf("Reading notices of %s failed (%s); retrying", userId, error.getMessage());
                retryLater();
            });
        }

        private synchronized void read(long from, List<Notice> found) {
            reading = false;
            found.forEach(this::offerRead);
            if (head == from && (ahead.isEmpty() || ahead.firstKey() > head + 1)) {
                // What follows head is not in the log: those notices expired. Go on from the oldest kept.
                reading = true;
                log.firstAfter(userId, head).subscribe().with(this::skipTo, error -> retryLater());
                return;
            }
            handOut();
        }

        private void offerRead(Notice notice) {
            if (notice.seq > head) {
                ahead.put(notice.seq, notice);
            }
        }

        private synchronized void skipTo(Notice oldest) {
            reading = false;
            if (oldest == null) {
                known = head;
                return;
            }
            Log.debugf("Notices %d to %d of %s expired before they were handed out", head + 1, oldest.seq - 1, userId);
            head = Math.max(head, oldest.seq - 1);
            List.copyOf(listeners).forEach(Listener::skipped);
            offerRead(oldest);
            handOut();
        }

        private void retryLater() {
            Uni.createFrom().voidItem().onItem().delayIt().by(RETRY).subscribe().with(ignored -> {
                synchronized (this) {
                    reading = false;
                    handOut();
                }
            });
        }
    }
}
