package io.keepsake.notice;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

import io.keepsake.config.NoticesConfig;
import io.netty.channel.EventLoop;
import io.keepsake.web.Json;
import io.keepsake.web.Meters;
import io.quarkus.websockets.next.CloseReason;
import io.quarkus.websockets.next.WebSocketConnection;
import io.smallrye.mutiny.Uni;

/**
 * One notice WebSocket: sends its user's notices in order and once each, whether they come live
 * from the fan-out, from the log while the connection catches up (opened with {@code after}), or
 * from a {@code resume} that asks for what came before the connection. Every send happens under
 * this object's lock, so messages leave in the order they were decided, and a close for the
 * client's misbehaviour leaves after them.
 */
final class SocketConnection implements NoticeFanout.Listener {

    static final int POLICY_VIOLATION = 1008;
    static final int GOING_AWAY = 1001;
    static final int UNAVAILABLE = 1011;
    /** A close waits at most this long for the replies before it: a client that reads nothing cannot hold it open. */
    static final Duration CLOSE_GRACE = Duration.ofSeconds(5);

    final WebSocketConnection connection;
    final String userId;
    final String clientId;
    /** The sessions this connection subscribed to; empty means all. */
    final Set<String> sessionIds = ConcurrentHashMap.newKeySet();
    /** Completed once the ready message is sent (null if the connection could not start). */
    final CompletableFuture<SocketConnection> ready = new CompletableFuture<>();

    private final NoticeLog log;
    private final NoticeFanout fanout;
    private final BiFunction<Notice, String, String> render;
    private final LoopSender sender;
    private final EventLoop eventLoop;
    private final Json codec;
    private final NoticesConfig config;
    private final Meters meters;
    private final AtomicInteger pending = new AtomicInteger();
    private final MessageAllowance allowance;
    /** The message queued last: written means everything queued before it is written too. */
    private CompletableFuture<Void> lastQueued = CompletableFuture.completedFuture(null);
    /** The cursor the client asked to start after, or -1 for "from now". */
    private final long requestedAfter;
    /** The last notice sent, or the position the connection started from. */
    private long sent;
    /** Notices up to here came before this connection: only a resume sends them. */
    private long start;
    /** Reading from the log to catch up: live notices wait until it has caught up. */
    private boolean catchingUp;
    /** Closed or closing: nothing more is sent. */
    private boolean closed;

    SocketConnection(WebSocketConnection connection, EventLoop eventLoop, String userId, String clientId,
            long requestedAfter, NoticeLog log, NoticeFanout fanout, LoopSender sender,
            BiFunction<Notice, String, String> render, Json codec, NoticesConfig config, Meters meters) {
        this.eventLoop = eventLoop;
        this.sender = sender;
        this.allowance = new MessageAllowance(config.maxMessagesPerSecond(), config.maxErrorsPerMinute());
        this.codec = codec;
        this.connection = connection;
        this.userId = userId;
        this.clientId = clientId;
        this.requestedAfter = requestedAfter;
        this.log = log;
        this.fanout = fanout;
        this.render = render;
        this.config = config;
        this.meters = meters;
    }

    @Override
    public synchronized void start(long position) {
        boolean behind = requestedAfter >= 0 && requestedAfter < position;
        start = behind ? requestedAfter : position;
        sent = start;
        send(Map.of("type", "ready", "user", userId, "cursor", Long.toString(start)));
        ready.complete(this);
        if (behind) {
            catchingUp = true;
            catchUp();
        }
    }

    @Override
    public synchronized void onNotice(Notice notice) {
        if (catchingUp || closed || notice.seq <= sent) {
            return;
        }
        if (notice.seq == sent + 1) {
            sent = notice.seq;
            deliver(notice);
        } else {
            catchingUp = true;
            catchUp();
        }
    }

    @Override
    public void failed(Throwable error) {
        ready.complete(null);
        connection.close(new CloseReason(UNAVAILABLE, "notices are unavailable; reconnect later"))
                .subscribe().with(ok -> { }, err -> { });
    }

    /** Reads after {@code sent} page by page, each page sent before the next is read, until live again. */
    private void catchUp() {
        long from = sent;
        log.after(userId, from, NoticeLog.PAGE).subscribe().with(page -> {
            List<Uni<Void>> sends = new ArrayList<>();
            boolean more;
            synchronized (this) {
                if (closed) {
                    return;
                }
                if (!page.isEmpty() && page.get(0).seq > sent + 1) {
                    sends.add(sending(Map.of("type", "resync")));
                }
                for (Notice notice : page) {
                    if (notice.seq > sent) {
                        sent = notice.seq;
                        sends.add(delivering(notice));
                    }
                }
                long live = fanout.position(userId);
                if (page.isEmpty() && live > sent) {
                    // What follows is not in the log (expired): the client must reload, then go on live.
                    sends.add(sending(Map.of("type", "resync")));
                    sent = live;
                }
                more = page.size() == NoticeLog.PAGE || fanout.position(userId) > sent;
                if (!more) {
                    catchingUp = false;
                }
            }
            if (more) {
                Uni.join().all(sends).andCollectFailures().subscribe().with(ok -> catchUp(), error -> close());
            }
        }, error -> failed(error));
    }

    /**
     * {@code resume}: the client has every notice up to {@code after}. Those after it that this
     * connection has not sent (the ones before it opened) are sent now, page by page; each notice
     * still goes out once. To resume without them arriving after live ones, open with {@code after}.
     */
    Uni<Void> resume(long after) {
        long to;
        synchronized (this) {
            if (after >= start) {
                return Uni.createFrom().voidItem();
            }
            to = start;
            start = after;
        }
        return backfill(after, to);
    }

    private Uni<Void> backfill(long from, long to) {
        return log.after(userId, from, (int) Math.min(NoticeLog.PAGE, to - from)).onItem().transformToUni(page -> {
            List<Uni<Void>> sends = new ArrayList<>();
            long last = from;
            synchronized (this) {
                if (closed) {
                    return Uni.createFrom().voidItem();
                }
                if (page.isEmpty() || page.get(0).seq > from + 1) {
                    sends.add(sending(Map.of("type", "resync")));
                }
                for (Notice notice : page) {
                    if (notice.seq <= to) {
                        sends.add(delivering(notice));
                        last = notice.seq;
                    }
                }
            }
            long next = page.isEmpty() ? to : last;
            Uni<Void> sent = sends.isEmpty() ? Uni.createFrom().voidItem() : Uni.join().all(sends).andCollectFailures().replaceWithVoid();
            return next >= to ? sent : sent.onItem().transformToUni(ok -> backfill(next, to));
        });
    }

    synchronized void closed() {
        closed = true;
    }

    /**
     * Sends a live notice unless the connection subscribed to other sessions only. Nobody waits for
     * it, so it is queued without wrapping: this runs once per listening connection and notice.
     */
    private void deliver(Notice notice) {
        String text = render(notice);
        if (text != null && queue(text, notice) == null) {
            tooSlow().subscribe().with(ok -> { }, err -> { });
        }
    }

    /** A notice read from the log (catching up, resuming): not timed, it may be hours old. */
    private Uni<Void> delivering(Notice notice) {
        String text = render(notice);
        return text == null ? Uni.createFrom().voidItem() : sendingText(text);
    }

    /** The notice as sent to this connection, or null when it subscribed to other sessions only. */
    private String render(Notice notice) {
        boolean aboutSession = notice.type.startsWith("session.");
        if (aboutSession && !sessionIds.isEmpty() && !sessionIds.contains(notice.resourceId)) {
            return null;
        }
        meters.noticePushed();
        return render.apply(notice, clientId);
    }

    void send(Object message) {
        sending(message).subscribe().with(ok -> { }, err -> { });
    }

    /** Sends a message; a connection with too many still unsent is closed instead. */
    synchronized Uni<Void> sending(Object message) {
        return sendingText(codec.write(message));
    }

    private Uni<Void> sendingText(String text) {
        CompletableFuture<Void> sent = queue(text, null);
        return sent == null ? tooSlow() : Uni.createFrom().completionStage(sent);
    }

    /**
     * Queues the text for the connection's event loop (so it leaves after everything queued before
     * it); null when too many are still unsent. A live notice's delay is measured once it is written.
     */
    private CompletableFuture<Void> queue(String text, Notice notice) {
        if (closed) {
            return CompletableFuture.completedFuture(null);
        }
        if (pending.incrementAndGet() > config.maxPendingMessages()) {
            return null;
        }
        CompletableFuture<Void> sent = sender.send(eventLoop, connection, text);
        lastQueued = sent;
        sent.whenComplete((ok, error) -> {
            pending.decrementAndGet();
            if (error == null && notice != null) {
                meters.noticeWritten(notice.at);
            }
        });
        return sent;
    }

    private Uni<Void> tooSlow() {
        return connection.close(new CloseReason(POLICY_VIOLATION, "too slow: more than "
                + config.maxPendingMessages() + " messages waiting"));
    }

    private void close() {
        connection.close().subscribe().with(ok -> { }, err -> { });
    }

    /** Takes a message from the client's allowance; false when it sends faster than allowed. */
    boolean allowMessage() {
        return allowance.allowMessage();
    }

    /** Answers a bad message with an error; one too many in a minute closes the connection with 1008. */
    synchronized Uni<Void> refuse(String error) {
        if (!closed && allowance.tooManyErrors()) {
            return closeAfterSent(new CloseReason(POLICY_VIOLATION, "too many malformed messages"));
        }
        send(Map.of("type", "error", "error", error)); // dropped once closing
        return Uni.createFrom().voidItem();
    }

    /** Closes once every message queued before is written (or after CLOSE_GRACE); nothing queued later is sent. */
    synchronized Uni<Void> closeAfterSent(CloseReason reason) {
        if (closed) {
            return Uni.createFrom().voidItem();
        }
        closed = true;
        // Subscribed at once: the close goes ahead whatever the caller does with the answer, and no thread waits.
        return Uni.createFrom().completionStage(Uni.createFrom().completionStage(lastQueued)
                .ifNoItem().after(CLOSE_GRACE).fail().onFailure().recoverWithNull()
                .chain(() -> connection.isOpen() ? connection.close(reason) : Uni.createFrom().voidItem())
                .subscribe().asCompletionStage());
    }
}
