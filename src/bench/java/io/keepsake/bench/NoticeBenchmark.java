package io.keepsake.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLongArray;

import io.keepsake.testing.ServiceProcess;
import io.restassured.path.json.JsonPath;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;

/**
 * Starts the packaged service (embedded store, -Xmx256m) as its own process, holds many WebSocket
 * connections on it, and measures how long a write takes to reach every subscribed connection.
 * Idle connections belong to one user, subscribers to another, whose session is written to.
 */
final class NoticeBenchmark {

    /**
     * Push delays are measured three ways: from sending the write (so they include its own durable
     * commit), from its acknowledgement (a notice that arrives before the answer counts as 0), and
     * by the service itself.
     */
    record Result(int connections, int subscribers, int writes, long rssBeforeKb, long rssAfterKb, long heapBeforeKb,
            long heapAfterKb, double p50, double p99, double max, double ackedP50, double ackedP99, double writeP50,
            double writeMax, double serverP50, double serverP99, int delivered, int expected, int warmups,
            List<Double> slowestPerWrite) {
    }

    private final int idle;
    private final int subscribers;
    private final int writes;
    /** Writes made first and left out of the figures: the service's code for them is not compiled yet. */
    private final int warmups;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private URI base;

    NoticeBenchmark(int idle, int subscribers, int warmups, int writes) {
        this.idle = idle;
        this.subscribers = subscribers;
        this.warmups = warmups;
        this.writes = writes;
    }

    Result run() throws Exception {
        ServiceProcess server = ServiceProcess.start(Files.createTempDirectory("keepsake-bench"), Path.of("target", "bench", "notice-server.log"),
                BenchMain.serverJvm(),
                "KEEPSAKE_NOTICES_FEED", System.getProperty("bench.feed", "auto"),
                // The design's figure is one user's 1,000 subscribed connections (and another's 9,000
                // idle ones); a user's default is 20 per instance.
                "KEEPSAKE_NOTICES_MAX_SOCKETS_PER_USER", Integer.toString(idle + subscribers),
                "KEEPSAKE_RATE_LIMITS_TICKETS_PER_MINUTE", Integer.toString(10 * (idle + subscribers)),
                "KEEPSAKE_RATE_LIMITS_SESSION_WRITES_PER_SECOND", "1000");
        base = server.base;
        int port = base.getPort();
        Vertx vertx = Vertx.vertx();
        try {
            server.awaitReady();
            long rssBefore = ProcessStats.rssKb(server.process.pid());
            long heapBefore = ProcessStats.heapKb(server.process.pid());

            String session = JsonPath.from(send("POST", "/persistence/sessions", "alice",
                    "{\"title\":\"bench\",\"content\":{\"n\":0}}", null).body()).getString("id");
            int total = warmups + writes;
            AtomicLongArray sentAt = new AtomicLongArray(total);
            AtomicLongArray receivedAt = new AtomicLongArray(total * subscribers);
            long[] ackedAt = new long[total];
            AtomicInteger heard = new AtomicInteger();
            WebSocketClient sockets = vertx.createWebSocketClient(new WebSocketClientOptions()
                    .setMaxConnections(idle + subscribers + 100).setConnectTimeout(30_000));
            openAll(sockets, port, "bob", idle, null, null, null);
            openAll(sockets, port, "alice", subscribers, session, receivedAt, heard);

            System.gc();
            long rssAfter = ProcessStats.rssKb(server.process.pid());
            long heapAfter = ProcessStats.heapKb(server.process.pid());

            String etag = send("GET", "/persistence/sessions/metadata/" + session, "alice", null, null)
                    .headers().firstValue("ETag").orElseThrow();
            for (int i = 1; i <= total; i++) {
                sentAt.set(i - 1, System.nanoTime());
                HttpResponse<String> put = send("PUT", "/persistence/sessions/" + session, "alice",
                        "{\"title\":\"bench\",\"content\":{\"n\":" + i + "}}", etag);
                ackedAt[i - 1] = System.nanoTime();
                etag = put.headers().firstValue("ETag").orElseThrow();
                Thread.sleep(200);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (heard.get() < total * subscribers && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            List<Long> sinceSent = new ArrayList<>();
            List<Long> sinceAck = new ArrayList<>();
            long[] slowest = new long[total];
            int measured = 0;
            for (int k = 0; k < receivedAt.length(); k++) {
                long received = receivedAt.get(k);
                int write = k / subscribers;
                if (received != 0) {
                    long afterAck = Math.max(0, received - ackedAt[write]);
                    slowest[write] = Math.max(slowest[write], afterAck);
                    if (write >= warmups) {
                        sinceSent.add(received - sentAt.get(write));
                        sinceAck.add(afterAck);
                        measured++;
                    }
                }
            }
            long[] sorted = sinceSent.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] acked = sinceAck.stream().mapToLong(Long::longValue).sorted().toArray();
            long[] writeTimes = new long[writes];
            for (int k = 0; k < writes; k++) {
                writeTimes[k] = ackedAt[warmups + k] - sentAt.get(warmups + k);
            }
            java.util.Arrays.sort(writeTimes);
            String metrics = http.send(HttpRequest.newBuilder(server.management.resolve("/q/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            return new Result(idle + subscribers, subscribers, writes, rssBefore, rssAfter, heapBefore, heapAfter,
                    percentile(sorted, 50), percentile(sorted, 99), sorted.length == 0 ? Double.NaN : sorted[sorted.length - 1] / 1e6,
                    percentile(acked, 50), percentile(acked, 99), percentile(writeTimes, 50), writeTimes[writes - 1] / 1e6,
                    quantileMs(metrics, "0.5"), quantileMs(metrics, "0.99"), measured, writes * subscribers, warmups,
                    java.util.Arrays.stream(slowest).mapToObj(ns -> ns / 1e6).toList());
        } finally {
            vertx.close();
            server.close();
        }
    }

    /** Opens {@code count} connections for a user, 200 at a time; subscribers record when each notice arrives. */
    private void openAll(WebSocketClient sockets, int port, String user, int count, String session,
            AtomicLongArray receivedAt, AtomicInteger heard) throws Exception {
        for (int start = 0; start < count; start += 200) {
            List<CompletableFuture<Void>> batch = new ArrayList<>();
            for (int i = start; i < Math.min(count, start + 200); i++) {
                int subscriber = i;
                HttpResponse<String> issued = send("POST", "/persistence/notices/tickets", user, null, null);
                if (issued.statusCode() != 201) {
                    throw new IllegalStateException("ticket: " + issued.statusCode() + " " + issued.body());
                }
                String ticket = JsonPath.from(issued.body()).getString("ticket");
                CompletableFuture<Void> ready = new CompletableFuture<>();
                sockets.connect(port, "127.0.0.1", "/persistence/notices/ws?ticket=" + ticket + "&client_id=bench")
                        .onSuccess(ws -> {
                            ws.closeHandler(closed -> ready.completeExceptionally(new IllegalStateException(
                                    "closed by the server: " + ws.closeStatusCode() + " " + ws.closeReason())));
                            ws.textMessageHandler(text -> {
                                if (text.contains("\"pong\"") || text.contains("\"subscribed\"")) {
                                    ready.complete(null);
                                } else if (receivedAt != null && text.contains("session.updated")) {
                                    long now = System.nanoTime();
                                    int version = versionOf(text); // no JSON parser on the hot path
                                    receivedAt.set((version - 2) * subscribers + subscriber, now);
                                    heard.incrementAndGet();
                                }
                            });
                            // Sent at once: the server holds it until the ticket is redeemed. (Its
                            // "ready" may arrive before this handler is set, so it is not waited for.)
                            ws.writeTextMessage(session == null ? "{\"type\":\"ping\"}"
                                    : "{\"type\":\"subscribe\",\"sessions\":[{\"id\":\"" + session + "\"}]}");
                        })
                        .onFailure(ready::completeExceptionally);
                batch.add(ready);
            }
            try {
                CompletableFuture.allOf(batch.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                long done = batch.stream().filter(CompletableFuture::isDone).count();
                throw new IllegalStateException(user + ": only " + done + " of " + batch.size()
                        + " connections ready in batch starting at " + start, e);
            }
        }
    }

    private HttpResponse<String> send(String method, String path, String user, String body, String ifMatch)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + Base64.getEncoder()
                        .encodeToString((user + ":" + user + "-secret").getBytes(StandardCharsets.UTF_8)))
                .header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }



    /** The service's own push delay quantile (keepsake.notices.delay), in ms. */
    private static double quantileMs(String metrics, String quantile) {
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?m)^keepsake_notices_delay_seconds\\{[^}]*quantile=\""
                + java.util.regex.Pattern.quote(quantile) + "\"[^}]*} (\\S+)$").matcher(metrics);
        return m.find() ? Double.parseDouble(m.group(1)) * 1000 : Double.NaN;
    }

    private static int versionOf(String text) {
        int at = text.indexOf("\"version\":") + 10;
        int end = at;
        while (end < text.length() && Character.isDigit(text.charAt(end))) {
            end++;
        }
        return Integer.parseInt(text, at, end, 10);
    }

    static double percentile(long[] sorted, int p) {
        if (sorted.length == 0) {
            return Double.NaN;
        }
        int index = (int) Math.ceil(p / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))] / 1e6;
    }

    static String report(Result r) {
        return String.format(Locale.ROOT, """
                ## Notices: idle WebSocket connections and write-to-push latency (targets: 10,000 connections in a small heap; p99 < 50 ms)

                Service: packaged jar, embedded store, `-Xmx256m`, same machine as the client.

                | connections | subscribed | writes measured (after warm-up ones) | deliveries measured | RSS before -> after | heap used after GC before -> after |
                |---|---|---|---|---|---|
                | %,d | %,d | %d (after %d) | %,d of %,d | %,d -> %,d MiB | %,d -> %,d MiB |

                | push delay | p50 | p99 | max |
                |---|---|---|---|
                | from the write's acknowledgement | %.1f ms | %.1f ms | |
                | from sending the write | %.1f ms | %.1f ms | %.1f ms |
                | the write itself (send to acknowledgement) | %.1f ms | | %.1f ms |
                | the service's own figure, warm-up writes included: from the change to the notice written (`keepsake.notices.delay`) | %.1f ms | %.1f ms | |

                Each write's slowest delivery, from its acknowledgement, in order, the %d warm-up writes first (ms): %s
                """, r.connections(), r.subscribers(), r.writes(), r.warmups(), r.delivered(), r.expected(), r.rssBeforeKb() / 1024,
                r.rssAfterKb() / 1024, r.heapBeforeKb() / 1024, r.heapAfterKb() / 1024, r.ackedP50(), r.ackedP99(),
                r.p50(), r.p99(), r.max(), r.writeP50(), r.writeMax(), r.serverP50(), r.serverP99(), r.warmups(),
                r.slowestPerWrite().stream().map(ms -> String.format(Locale.ROOT, "%.0f", ms)).collect(java.util.stream.Collectors.joining(", ")));
    }
}
