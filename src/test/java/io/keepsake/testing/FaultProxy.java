package io.keepsake.testing;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A TCP proxy between the service and its store that tests switch between faults while a load
 * runs: {@link #pass()} forwards; {@link #reset()} resets every connection, and each new one at
 * once, as a store that went away does; {@link #delay} holds each chunk either way for a while, as
 * a slow store or network does; {@link #blackHole()} keeps connections open but forwards nothing,
 * as a lost network does; {@link #throttle} answers some commands as Cosmos DB does when it
 * throttles. Blocking sockets, two threads per connection: a store client opens few.
 */
public final class FaultProxy implements AutoCloseable {

    private enum Mode { PASS, RESET, DELAY, BLACK_HOLE }

    private final ServerSocket listener;
    private final InetSocketAddress target;
    private final Set<Socket> open = ConcurrentHashMap.newKeySet();
    private volatile Mode mode = Mode.PASS;
    private volatile long delayMillis;
    private volatile boolean closed;
    private volatile double throttled;
    private final AtomicInteger throttledCount = new AtomicInteger();

    private FaultProxy(InetSocketAddress target) throws IOException {
        this.target = target;
        this.listener = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "fault-proxy-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    /** A proxy on a free loopback port in front of host:port. */
    public static FaultProxy to(String host, int port) throws IOException {
        return new FaultProxy(new InetSocketAddress(host, port));
    }

    public int port() {
        return listener.getLocalPort();
    }

    public void pass() {
        mode = Mode.PASS;
    }

    /** Resets every open connection, and every new one until another mode is set. */
    public void reset() {
        mode = Mode.RESET;
        open.forEach(FaultProxy::abort);
    }

    /** Holds every chunk, either way, this long before forwarding it. */
    public void delay(Duration by) {
        delayMillis = by.toMillis();
        mode = Mode.DELAY;
    }

    /**
     * Answers this fraction of the commands Cosmos DB bills (reads and writes of data) as Cosmos
     * DB does when the request rate is too large (error 16500, RetryAfterMs=100), without passing
     * them on; 0 to stop. Independent of the other faults.
     */
    public void throttle(double fraction) {
        throttled = fraction;
    }

    /** How many commands were answered as throttled. */
    public int throttledCount() {
        return throttledCount.get();
    }

    /** Forwards nothing either way; connections stay open. */
    public void blackHole() {
        mode = Mode.BLACK_HOLE;
    }

    private void accept() {
        while (!closed) {
            try {
                Socket client = listener.accept();
                if (mode == Mode.RESET) {
                    abort(client);
                    continue;
                }
                Socket store = new Socket();
                store.connect(target, 2_000);
                open.add(client);
                open.add(store);
                start(() -> commands(client, store), "up");
                start(() -> pump(store, client), "down");
            } catch (IOException e) {
                if (closed) {
                    return;
                }
            }
        }
    }

    private static void start(Runnable pump, String direction) {
        Thread thread = new Thread(pump, "fault-proxy-" + direction);
        thread.setDaemon(true);
        thread.start();
    }

    /** The store's answers, as they come. */
    private void pump(Socket store, Socket client) {
        byte[] buffer = new byte[64 * 1024];
        try (InputStream in = store.getInputStream(); OutputStream out = client.getOutputStream()) {
            for (int n; (n = in.read(buffer)) >= 0;) {
                Mode now = mode;
                if (now == Mode.BLACK_HOLE) {
                    continue; // read and dropped
                }
                if (now == Mode.DELAY) {
                    Thread.sleep(delayMillis);
                }
                synchronized (out) {
                    out.write(buffer, 0, n);
                    out.flush();
                }
            }
        } catch (IOException | InterruptedException e) {
            // the other side went away, or the connection was reset
        } finally {
            closeBoth(store, client);
        }
    }

    /** The client's commands, a whole wire-protocol message at a time: each may be throttled, delayed or dropped. */
    private void commands(Socket client, Socket store) {
        try (DataInputStream in = new DataInputStream(client.getInputStream()); OutputStream out = store.getOutputStream()) {
            while (true) {
                byte[] message = new byte[Integer.reverseBytes(in.readInt())];
                ByteBuffer.wrap(message).order(ByteOrder.LITTLE_ENDIAN).putInt(message.length);
                in.readFully(message, 4, message.length - 4);
                Mode now = mode;
                if (now == Mode.BLACK_HOLE) {
                    continue;
                }
                if (now == Mode.DELAY) {
                    Thread.sleep(delayMillis);
                }
                if (ThreadLocalRandom.current().nextDouble() < throttled && WireMessages.isBilled(message)) {
                    byte[] refusal = WireMessages.error(message, 16500, "TooManyRequests",
                            IdLookupMemoryBackend.throttledMessage(100));
                    OutputStream back = client.getOutputStream();
                    synchronized (back) {
                        back.write(refusal);
                        back.flush();
                    }
                    throttledCount.incrementAndGet();
                    continue;
                }
                out.write(message);
                out.flush();
            }
        } catch (IOException | InterruptedException e) {
            // the other side went away, or the connection was reset
        } finally {
            closeBoth(client, store);
        }
    }

    private void closeBoth(Socket one, Socket other) {
        abort(one);
        abort(other);
        open.remove(one);
        open.remove(other);
    }

    /** Closes with a reset (RST), not an orderly close. */
    private static void abort(Socket socket) {
        try {
            socket.setSoLinger(true, 0);
        } catch (SocketException ignored) {
            // already closed
        }
        try {
            socket.close();
        } catch (IOException ignored) {
            // already closed
        }
    }

    @Override
    public void close() throws IOException {
        closed = true;
        listener.close();
        open.forEach(FaultProxy::abort);
    }
}
