package io.keepsake.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.restassured.path.json.JsonPath;

/**
 * Alice's notices over the WebSocket while a load runs: how long after its write each arrived,
 * and how long after the load the last one came (a publisher that falls behind shows here).
 */
final class Notices implements WebSocket.Listener {

    private final List<Long> delays = java.util.Collections.synchronizedList(new ArrayList<>());
    private final StringBuilder text = new StringBuilder();
    private final ObjectMapper json = new ObjectMapper();
    private volatile long lastHeard = System.nanoTime();
    private WebSocket socket;

    static Notices listen(HttpClient http, String base) throws Exception {
        HttpResponse<String> ticket = http.send(HttpRequest.newBuilder(URI.create(base + "/persistence/notices/tickets"))
                .header("Authorization", HttpBenchmark.AUTH).POST(HttpRequest.BodyPublishers.noBody()).build(),
                HttpResponse.BodyHandlers.ofString());
        Notices notices = new Notices();
        notices.socket = http.newWebSocketBuilder().buildAsync(URI.create(base.replace("http:", "ws:")
                + "/persistence/notices/ws?ticket=" + JsonPath.from(ticket.body()).getString("ticket")), notices)
                .get(10, java.util.concurrent.TimeUnit.SECONDS);
        return notices;
    }

    @Override
    public java.util.concurrent.CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        text.append(data);
        if (last) {
            try {
                var message = json.readTree(text.toString());
                if (message.path("type").asText().equals("session.updated") && message.hasNonNull("at")) {
                    delays.add(System.currentTimeMillis() - java.time.Instant.parse(message.get("at").asText()).toEpochMilli());
                    lastHeard = System.nanoTime();
                }
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            text.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    /** Waits until nothing was heard for two seconds (at most a minute), then reports. */
    String drained() throws InterruptedException {
        long loadEnded = System.nanoTime();
        long giveUp = loadEnded + java.util.concurrent.TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() - lastHeard < 2_000_000_000L && System.nanoTime() < giveUp) {
            Thread.sleep(100);
        }
        socket.abort();
        List<Long> sorted;
        synchronized (delays) {
            sorted = new ArrayList<>(delays);
        }
        sorted.sort(null);
        if (sorted.isEmpty()) {
            return "\nNo notice was heard during the PUT load.\n";
        }
        String line = String.format(Locale.ROOT, "%nNotices during the PUT load (one WebSocket of the writing user): %,d heard; "
                + "from write to arrival p50 %d ms, p99 %d ms, max %d ms; the last arrived %.1f s after the load ended.%n",
                sorted.size(), sorted.get(sorted.size() / 2), sorted.get((int) Math.min(sorted.size() - 1, sorted.size() * 0.99)),
                sorted.get(sorted.size() - 1), Math.max(0, lastHeard - loadEnded) / 1e9);
        System.out.print(line);
        return line;
    }
}
