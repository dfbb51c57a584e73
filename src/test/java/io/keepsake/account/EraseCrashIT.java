package io.keepsake.account;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;

import io.keepsake.testing.ServiceProcess;

/**
 * The packaged service, killed with SIGKILL while it erases a user's data: after a restart on the
 * same data the erase finishes by itself, and the test looks in every collection of the store:
 * nothing of that user's is left but what may stay (the erasure record, the head of their notice
 * log, id-only tombstones of their snapshots, the finished task), and the other user's data is
 * untouched.
 */
class EraseCrashIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String GONE = "alice";
    private static final String STAYS = "bob";
    // Each step of an erase deletes up to 500 documents at a time (Sweep.BATCH), snapshots 100 at a time
    // (EraseUser.PAGE): these fit in one batch of each step, as more would up to those sizes.
    private static final int SESSIONS = 40;
    private static final int SNAPSHOTS = 10;

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private URI base;

    @Test
    void anEraseCutShortByAKillFinishesAfterTheRestart() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        Path log = Path.of("target", "erase-crash-it.log");
        int storePort = ServiceProcess.freePort();
        List<String> sessions = new ArrayList<>();
        List<String> snapshots = new ArrayList<>();
        String bobs;
        String killedAt;
        try (ServiceProcess service = start(log, storePort)) {
            fill(sessions, snapshots);
            bobs = created(send(STAYS, "POST", "/persistence/sessions", "{\"title\":\"bob's\",\"content\":{\"bob\":1}}"));
            for (int i = 0; i < 5; i++) {
                assertEquals(200, send(STAYS, "GET", "/persistence/snapshots/" + snapshots.get(i), null).statusCode());
            }
            assertEquals(202, send(GONE, "DELETE", "/persistence/me", null).statusCode());
            try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + storePort)) {
                MongoDatabase store = client.getDatabase("keepsake");
                long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
                // Killed as soon as it runs: at most a step or two done. A short erase may go from running to
                // done between two looks: the kill then comes at once too (not after the minute of looking).
                String status = null;
                while (System.nanoTime() < deadline && !("running".equals(status) || "done".equals(status))) {
                    Thread.sleep(2);
                    Document erasure = store.getCollection("erasures").find(Filters.eq("_id", GONE)).first();
                    status = erasure == null ? null : erasure.getString("status");
                }
                killedAt = "just before the kill the erase was " + status + ", "
                        + store.getCollection("sessions").countDocuments(Filters.eq("ownerId", GONE))
                        + " sessions and " + store.getCollection("snapshots").countDocuments(Filters.eq("ownerId", GONE))
                        + " snapshots were left";
                service.kill();
            }
        }
        try (ServiceProcess service = start(log, storePort)) {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(90);
            JsonNode status = null;
            while (System.nanoTime() < deadline) {
                status = JSON.readTree(send(GONE, "GET", "/persistence/me/erasure", null).body());
                if ("done".equals(status.path("status").asText())) {
                    break;
                }
                Thread.sleep(200);
            }
            assertEquals("done", status.path("status").asText(), "the erase finished after the restart: " + status);
            assertEquals(SESSIONS, status.path("deleted").path("sessions").asLong(), "every session counted: " + status);
            assertEquals(SNAPSHOTS, status.path("deleted").path("snapshots").asLong(), "every snapshot counted: " + status);
            try (MongoClient client = MongoClients.create("mongodb://127.0.0.1:" + storePort)) {
                List<String> left = leftOf(client.getDatabase("keepsake"), sessions, snapshots);
                assertEquals(List.of(), left, "nothing of " + GONE + "'s but what may stay");
            }
            assertEquals(404, send(GONE, "GET", "/persistence/sessions/" + sessions.get(0), null).statusCode());
            assertEquals(200, send(STAYS, "GET", "/persistence/sessions/" + bobs, null).statusCode(), "bob's data stays");
        }
        System.out.printf("EraseCrashIT: %d sessions with history and %d snapshots erased across a kill; %s%n",
                SESSIONS, SNAPSHOTS, killedAt);
    }

    private ServiceProcess start(Path log, int storePort) throws Exception {
        ServiceProcess service = ServiceProcess.start(data, log, List.of("-Xmx256m"),
                "KEEPSAKE_STORE_PORT", Integer.toString(storePort),
                "KEEPSAKE_ERASURE_START_AFTER", "0s",
                "KEEPSAKE_TASKS_LEASE", "2s",
                "KEEPSAKE_TASKS_IDLE_POLL_EVERY", "1s",
                "KEEPSAKE_RATE_LIMITS_SESSION_WRITES_PER_SECOND", "100000",
                "KEEPSAKE_QUOTAS_MAX_SESSIONS_PER_USER", "1000000");
        service.awaitReady();
        base = service.base;
        return service;
    }

    /** Sessions saved once each (so each has a revision) and snapshots of some, from a few threads. */
    private void fill(List<String> sessions, List<String> snapshots) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<String>> made = new ArrayList<>();
        for (int i = 0; i < SESSIONS; i++) {
            int n = i;
            made.add(pool.submit(() -> {
                HttpResponse<String> created = send(GONE, "POST", "/persistence/sessions",
                        "{\"title\":\"s" + n + "\",\"content\":{\"n\":" + n + "}}");
                String id = created(created);
                HttpRequest.Builder save = request(GONE, "PUT", "/persistence/sessions/" + id,
                        "{\"title\":\"s" + n + "\",\"content\":{\"n\":" + (n + 1) + "}}")
                        .header("If-Match", created.headers().firstValue("ETag").orElseThrow());
                assertEquals(200, http.send(save.build(), HttpResponse.BodyHandlers.ofString()).statusCode());
                return id;
            }));
        }
        for (Future<String> id : made) {
            sessions.add(id.get(60, TimeUnit.SECONDS));
        }
        List<Future<String>> frozen = new ArrayList<>();
        for (int i = 0; i < SNAPSHOTS; i++) {
            String session = sessions.get(i);
            frozen.add(pool.submit(() -> created(send(GONE, "POST", "/persistence/snapshots",
                    "{\"sessionId\":\"" + session + "\",\"title\":\"frozen\"}"))));
        }
        for (Future<String> id : frozen) {
            snapshots.add(id.get(60, TimeUnit.SECONDS));
        }
        pool.shutdown();
    }

    /** Every document that names the erased user or their things, but what may stay. */
    private static List<String> leftOf(MongoDatabase store, List<String> sessions, List<String> snapshots) {
        List<String> left = new ArrayList<>();
        for (String name : store.listCollectionNames()) {
            for (Document doc : store.getCollection(name).find()) {
                String json = doc.toJson();
                boolean names = json.contains("\"" + GONE) || sessions.stream().anyMatch(json::contains)
                        || snapshots.stream().anyMatch(json::contains);
                boolean mayStay = name.equals("erasures") || json.startsWith("{\"_id\": \"" + GONE + ":head\"")
                        || (name.equals("snapshots") && doc.getBoolean("erased", false) && !doc.containsKey("ownerId")
                                && !doc.containsKey("title") && !doc.containsKey("canonical"))
                        || (name.equals("tasks") && json.contains("erase-user"));
                if (names && !mayStay) {
                    left.add(name + " " + (json.length() > 300 ? json.substring(0, 300) : json));
                }
            }
        }
        return left;
    }

    private static String created(HttpResponse<String> response) throws IOException {
        assertTrue(response.statusCode() == 201, response.statusCode() + " " + response.body());
        return JSON.readTree(response.body()).get("id").asText();
    }

    private HttpRequest.Builder request(String user, String method, String path, String body) {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(20))
                .header("Authorization", ServiceProcess.basicAuth(user))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return body == null ? request : request.header("Content-Type", "application/json");
    }

    private HttpResponse<String> send(String user, String method, String path, String body)
            throws IOException, InterruptedException {
        return http.send(request(user, method, path, body).build(), HttpResponse.BodyHandlers.ofString());
    }
}
