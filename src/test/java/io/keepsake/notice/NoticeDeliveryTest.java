package io.keepsake.notice;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.LongStream;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.store.Time;
import io.keepsake.testing.Http;
import io.keepsake.testing.SocketClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Every notice reaches every listener of its user once and in order: on sockets and by long poll,
 * under many concurrent writes of one user, through resumes that overlap live delivery, and
 * through resumes of thousands of missed notices.
 */
@QuarkusTest
class NoticeDeliveryTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Inject
    NoticePublisher publisher;

    private SocketClient connect(String user, String query) throws InterruptedException {
        String ticket = as(user).post("/notices/tickets").then().statusCode(201).extract().path("ticket");
        SocketClient socket = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket + query);
        assertEquals("ready", socket.next().getString("type"));
        return socket;
    }

    /** The notice ids a socket receives, in the order it receives them, until it has {@code count}. */
    private static List<Long> ids(SocketClient socket, int count, Duration within) throws Exception {
        List<Long> ids = new ArrayList<>();
        long deadline = System.nanoTime() + within.toNanos();
        while (ids.size() < count && System.nanoTime() < deadline) {
            String text = socket.texts.poll(200, TimeUnit.MILLISECONDS);
            JsonNode message = text == null ? null : JSON.readTree(text);
            if (message != null && message.has("id")) {
                ids.add(message.get("id").asLong());
            }
        }
        return ids;
    }

    private static List<Long> range(long after, int count) {
        return LongStream.rangeClosed(after + 1, after + count).boxed().toList();
    }

    /** Nothing more is queued for the socket: a ping is answered next. */
    private static void assertNothingElse(SocketClient socket) throws InterruptedException {
        socket.send("{\"type\":\"ping\"}");
        JsonPath next = socket.next();
        assertNotNull(next, "the socket is still open");
        assertEquals("pong", next.getString("type"), "nothing else was sent: " + next.prettify());
    }

    @Test
    void fiftyConcurrentWritersOfOneUserAreHeardByEverySocketAndLongPollOnceAndInOrder() throws Exception {
        String user = "carol";
        long start = Long.parseLong(noticeCursor(user));
        List<SocketClient> sockets = List.of(connect(user, ""), connect(user, ""), connect(user, "&after=" + start));
        List<List<Long>> polled = List.of(new CopyOnWriteArrayList<>(), new CopyOnWriteArrayList<>());
        AtomicBoolean listening = new AtomicBoolean(true);
        ExecutorService pollers = Executors.newFixedThreadPool(polled.size());
        List<Future<?>> polling = new ArrayList<>();
        for (List<Long> heard : polled) {
            polling.add(pollers.submit(() -> {
                long cursor = start;
                while (listening.get()) {
                    HttpResponse<String> page = HttpClient.newHttpClient().send(Http.request(base,
                            "persistence/notices?wait=1&after=" + cursor, user).GET().build(), HttpResponse.BodyHandlers.ofString());
                    for (Object id : JsonPath.from(page.body()).getList("items.id")) {
                        heard.add(Long.parseLong((String) id));
                    }
                    cursor = Long.parseLong(JsonPath.from(page.body()).getString("cursor"));
                }
                return null;
            }));
        }

        List<String> sessions = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            sessions.add(newSession(user, "contested " + i, i));
        }
        int expected = 5;
        for (int round = 0; round < 3; round++) {
            List<String> tags = sessions.stream().map(id -> (String) as(user).get("/sessions/metadata/" + id).header("ETag")).toList();
            int r = round;
            // 50 at once: 45 PUTs on 5 sessions with the tags read before (one per session wins, the rest are
            // conflicts; both make notices) and 5 creates.
            List<HttpResponse<String>> answers = Http.concurrently(50, i -> i % 10 == 9
                    ? Http.request(base, "persistence/sessions", user).header("Content-Type", "application/json")
                            .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"new " + r + "-" + i + "\",\"content\":" + i + "}")).build()
                    : Http.request(base, "persistence/sessions/" + sessions.get(i % 5), user)
                            .header("Content-Type", "application/json").header("If-Match", tags.get(i % 5))
                            .PUT(HttpRequest.BodyPublishers.ofString("{\"title\":\"round " + r + "\",\"content\":" + i + "}")).build());
            for (HttpResponse<String> answer : answers) {
                assertTrue(answer.statusCode() == 200 || answer.statusCode() == 201 || answer.statusCode() == 412,
                        answer.statusCode() + " " + answer.body());
            }
            assertEquals(5, answers.stream().filter(a -> a.statusCode() == 200).count(), "one winner per session");
            expected += answers.size();
        }

        int total = expected;
        List<Long> all = range(start, total);
        for (SocketClient socket : sockets) {
            assertEquals(all, ids(socket, total, Duration.ofSeconds(30)), "a socket hears every notice once, in order");
            assertNothingElse(socket);
            socket.close();
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (polled.stream().anyMatch(heard -> heard.size() < total) && System.nanoTime() < deadline) {
            Thread.sleep(100);
        }
        listening.set(false);
        for (Future<?> poll : polling) {
            poll.get(30, TimeUnit.SECONDS);
        }
        pollers.shutdown();
        for (List<Long> heard : polled) {
            assertEquals(all, heard, "a long poll hears every notice once, in order");
        }
    }

    @Test
    void aResumeSentAfterALiveNoticeRepeatsNothingAndSendsTheEarlierOnesOnce() throws Exception {
        String user = "dave";
        String id = newSession(user, "resumed", 1);
        long before = Long.parseLong(noticeCursor(user));
        for (int i = 2; i <= 3; i++) {
            String etag = as(user).get("/sessions/metadata/" + id).header("ETag");
            as(user).contentType("application/json").header("If-Match", etag)
                    .body("{\"title\":\"resumed\",\"content\":" + i + "}").put("/sessions/" + id).then().statusCode(200);
        }
        assertEquals(2, noticesAfter(user, Long.toString(before), 2).size());
        long ready = before + 2;

        try (SocketClient socket = connect(user, "")) {
            String etag = as(user).get("/sessions/metadata/" + id).header("ETag");
            as(user).contentType("application/json").header("If-Match", etag)
                    .body("{\"title\":\"resumed\",\"content\":4}").put("/sessions/" + id).then().statusCode(200);
            assertEquals(List.of(ready + 1), ids(socket, 1, Duration.ofSeconds(10)), "the live notice");

            socket.send("{\"type\":\"resume\",\"after\":\"" + ready + "\"}");
            assertNothingElse(socket);
            socket.send("{\"type\":\"resume\",\"after\":\"" + before + "\"}");
            assertEquals(List.of(before + 1, before + 2), ids(socket, 2, Duration.ofSeconds(10)),
                    "what came before the connection, once; the live one is not repeated");
            assertNothingElse(socket);
        }
        try (SocketClient socket = connect(user, "&after=" + before)) {
            assertEquals(range(before, 3), ids(socket, 3, Duration.ofSeconds(10)), "opened with after: in order");
            assertNothingElse(socket);
        }
    }

    @Test
    void aResumeOfFiveThousandMissedNoticesIsDeliveredWholeAndTheSocketStaysOpen() throws Exception {
        String user = "erin";
        long before = Long.parseLong(noticeCursor(user));
        int missed = Integer.getInteger("missed", 5_000);
        for (int i = 0; i < missed; i++) {
            publisher.publish(user, OutboxEntry.of(Notice.SESSION_CONFLICT, "missed-" + i, "h" + i, (long) i, "elsewhere",
                    Time.now()));
        }
        publisher.drained(user).toCompletableFuture().get(120, TimeUnit.SECONDS);

        try (SocketClient socket = connect(user, "")) {
            socket.send("{\"type\":\"resume\",\"after\":\"" + before + "\"}");
            List<Long> got = ids(socket, missed, Duration.ofSeconds(60));
            assertTrue(range(before, missed).equals(got), "every missed notice, in order: got " + got.size());
            assertNothingElse(socket);
        }
        try (SocketClient socket = connect(user, "&after=" + before)) {
            assertTrue(range(before, missed).equals(ids(socket, missed, Duration.ofSeconds(60))), "the same when opened with after");
            assertNothingElse(socket);
        }
    }
}
