package io.keepsake.notice;

import java.util.Map;
import java.util.Queue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;

import io.netty.channel.EventLoop;
import io.quarkus.websockets.next.WebSocketConnection;

/**
 * Sends WebSocket messages from the event loop that owns each connection. A notice for a thousand
 * connections becomes one task per event loop, which writes to its connections in a row, instead
 * of a thousand writes from the notifying thread, each handed over to a loop on its own. Messages
 * to one connection leave in the order they were queued.
 */
final class LoopSender {

    private record Message(WebSocketConnection connection, String text, CompletableFuture<Void> sent) {
    }

    /** One queue per event loop, drained on that loop. */
    private final class Loop implements Runnable {

        private final EventLoop eventLoop;
        private final Queue<Message> queue = new ConcurrentLinkedQueue<>();
        private final AtomicBoolean scheduled = new AtomicBoolean();

        Loop(EventLoop eventLoop) {
            this.eventLoop = eventLoop;
        }

        void add(Message message) {
            queue.add(message);
            if (scheduled.compareAndSet(false, true)) {
                eventLoop.execute(this);
            }
        }

        @Override
        public void run() {
            scheduled.set(false);
            for (Message message = queue.poll(); message != null; message = queue.poll()) {
                Message m = message;
                m.connection().sendText(m.text()).subscribe().with(ok -> m.sent().complete(null), m.sent()::completeExceptionally);
            }
        }
    }

    private final Map<EventLoop, Loop> loops = new ConcurrentHashMap<>();

    /** Queues a message for the connection's event loop; completes once it is written. */
    CompletableFuture<Void> send(EventLoop eventLoop, WebSocketConnection connection, String text) {
        CompletableFuture<Void> sent = new CompletableFuture<>();
        loops.computeIfAbsent(eventLoop, Loop::new).add(new Message(connection, text, sent));
        return sent;
    }
}
