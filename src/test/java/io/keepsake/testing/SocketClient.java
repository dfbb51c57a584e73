package io.keepsake.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import io.restassured.path.json.JsonPath;

/**
 * A WebSocket test client: messages land in a queue as text (parsed when a test asks for one, so
 * that thousands of messages are taken in as fast as they come), the close code in a future.
 */
public final class SocketClient implements WebSocket.Listener, AutoCloseable {

    public final BlockingQueue<String> texts = new LinkedBlockingQueue<>();
    public final CompletableFuture<Integer> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private WebSocket socket;

    public static SocketClient open(URI base, String pathAndQuery) {
        return open(HttpClient.newHttpClient(), base, pathAndQuery);
    }

    /** Through the given client (e.g. one that trusts a test's own TLS certificate); https becomes wss. */
    public static SocketClient open(HttpClient http, URI base, String pathAndQuery) {
        SocketClient client = new SocketClient();
        URI uri = URI.create(base.toString().replaceFirst("^http", "ws")).resolve(pathAndQuery);
        client.socket = http.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(10)).buildAsync(uri, client).join();
        return client;
    }

    public void send(String text) {
        socket.sendText(text, true).join();
    }

    /** The next message, waiting up to five seconds; null if none came. */
    public JsonPath next() throws InterruptedException {
        return poll(5_000);
    }

    /** The next message, waiting up to {@code millis}; null if none came. */
    public JsonPath poll(long millis) throws InterruptedException {
        String text = texts.poll(millis, TimeUnit.MILLISECONDS);
        return text == null ? null : JsonPath.from(text);
    }

    /** The next message of the given type, skipping others. */
    public JsonPath next(String type) throws InterruptedException {
        for (JsonPath message = next(); message != null; message = next()) {
            if (type.equals(message.getString("type"))) {
                return message;
            }
        }
        return null;
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            texts.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    @Override
    public void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye");
        }
    }
}
