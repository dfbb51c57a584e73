package io.keepsake.store;

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
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.hashing.CanonicalJson;
import io.keepsake.testing.ServiceProcess;

/**
 * The service as its own process on its on-disk embedded store, killed with SIGKILL in the middle
 * of a load of creates, updates, snapshots and visits, then restarted on the same data, twice over
 * (the second kill hits a service that recovered from the first): every write that was answered 2xx is there afterwards, nothing is half-written (every hash
 * matches its content), every acknowledged change has its notice, once, in an unbroken log, and
 * every acknowledged save's previous state is in the session's history.
 */
class CrashRecoveryIT {

    private static final List<String> USERS = List.of("alice", "bob");
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int ROUNDS = 2;
    private static final int CLIENTS = 8;

    /** The last acknowledged state of a session. */
    record Acked(String user, String id, long version, String hash, String etag) {
    }

    record Snapshot(String user, String id, String hash) {
    }

    /** An acknowledged save's previous state: what the session's history must hold. */
    record Replaced(String user, String id, long version, String hash) {
    }

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final Map<String, Acked> sessions = new ConcurrentHashMap<>();
    private final List<Snapshot> snapshots = new CopyOnWriteArrayList<>();
    private final List<Replaced> replaced = new CopyOnWriteArrayList<>();
    private final AtomicInteger writesAcknowledged = new AtomicInteger();
    private URI base;

    @Test
    void everyAcknowledgedWriteSurvivesAKillMidLoad() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        Path log = Path.of("target", "crash-recovery-it.log");
        for (int round = 1; round <= ROUNDS; round++) {
            try (ServiceProcess service = start(log)) {
                if (round > 1) {
                    verifyStored();
                }
                load(Duration.ofMillis(2500), 30, Duration.ofSeconds(30));
                service.kill();
            }
        }
        try (ServiceProcess service = start(log)) {
            verifyStored();
            verifyNotices();
            verifyHistory();
        }
        assertTrue(writesAcknowledged.get() >= ROUNDS * 30, "the load wrote something: " + writesAcknowledged.get());
        System.out.printf("CrashRecoveryIT: %d rounds, %d writes acknowledged, %d sessions, %d snapshots, %d saves' "
                + "previous states in history; none lost%n", ROUNDS, writesAcknowledged.get(), sessions.size(), snapshots.size(),
                replaced.size());
    }

    private ServiceProcess start(Path log) throws Exception {
        ServiceProcess service = ServiceProcess.start(data, log, List.of("-Xmx256m"),
                "KEEPSAKE_NOTICES_RECOVER_EVERY", "1s", "KEEPSAKE_NOTICES_RECOVER_AFTER", "1s",
                "KEEPSAKE_RATE_LIMITS_SESSION_WRITES_PER_SECOND", "100000");
        service.awaitReady();
        base = service.base;
        return service;
    }

    /**
     * CLIENTS threads create and update their own sessions, create snapshots and open each other's,
     * for at least {@code duration} and until {@code writes} more writes were acknowledged (a busy
     * machine is slow), at most {@code atMost}.
     */
    private void load(Duration duration, int writes, Duration atMost) throws InterruptedException {
        int target = writesAcknowledged.get() + writes;
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService clients = Executors.newFixedThreadPool(CLIENTS);
        for (int c = 0; c < CLIENTS; c++) {
            String user = USERS.get(c % USERS.size());
            clients.execute(() -> {
                List<String> mine = new ArrayList<>();
                while (running.get()) {
                    try {
                        step(user, mine);
                    } catch (IOException e) {
                        // the request may not have been answered: nothing was acknowledged
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            });
        }
        long started = System.nanoTime();
        Thread.sleep(duration.toMillis());
        while (writesAcknowledged.get() < target && System.nanoTime() - started < atMost.toNanos()) {
            Thread.sleep(100);
        }
        running.set(false); // the kill comes now, with requests still in flight
        clients.shutdownNow();
        clients.awaitTermination(10, TimeUnit.SECONDS);
    }

    private void step(String user, List<String> mine) throws IOException, InterruptedException {
        ThreadLocalRandom random = ThreadLocalRandom.current();
        int dice = random.nextInt(10);
        if (mine.isEmpty() || dice < 3) {
            HttpResponse<String> created = send(user, "POST", "/persistence/sessions", body(random), null);
            if (created.statusCode() == 201) {
                JsonNode session = JSON.readTree(created.body());
                acknowledge(new Acked(user, session.get("id").asText(), session.get("version").asLong(),
                        session.get("contentHash").asText(), created.headers().firstValue("ETag").orElseThrow()));
                mine.add(session.get("id").asText());
            }
        } else if (dice < 8) {
            Acked current = sessions.get(mine.get(random.nextInt(mine.size())));
            HttpResponse<String> updated = send(user, "PUT", "/persistence/sessions/" + current.id(), body(random),
                    current.etag());
            if (updated.statusCode() == 200) {
                JsonNode session = JSON.readTree(updated.body());
                if (session.get("version").asLong() == current.version() + 1) {
                    replaced.add(new Replaced(user, current.id(), current.version(), current.hash()));
                }
                acknowledge(new Acked(user, current.id(), session.get("version").asLong(),
                        session.get("contentHash").asText(), updated.headers().firstValue("ETag").orElseThrow()));
            }
        } else if (dice < 9) {
            HttpResponse<String> created = send(user, "POST", "/persistence/snapshots",
                    "{\"sessionId\":\"" + mine.get(0) + "\",\"title\":\"frozen\"}", null);
            if (created.statusCode() == 201) {
                JsonNode snapshot = JSON.readTree(created.body());
                snapshots.add(new Snapshot(user, snapshot.get("id").asText(), snapshot.get("contentHash").asText()));
                writesAcknowledged.incrementAndGet();
            }
        } else if (!snapshots.isEmpty()) {
            Snapshot other = snapshots.get(random.nextInt(snapshots.size()));
            send(user, "GET", "/persistence/snapshots/" + other.id(), null, null); // a visit
        }
    }

    private void acknowledge(Acked acked) {
        sessions.merge(acked.id(), acked, (old, now) -> now.version() > old.version() ? now : old);
        writesAcknowledged.incrementAndGet();
    }

    private static String body(ThreadLocalRandom random) {
        return "{\"title\":\"crash " + random.nextInt(1000) + "\",\"description\":\"load\",\"content\":{\"n\":"
                + random.nextLong() + ",\"panels\":[" + "{\"x\":1.5,\"label\":\"\\u00e9t\\u00e9\"},".repeat(50)
                + "{}]}}";
    }

    /** Every acknowledged session and snapshot is stored at (or past) its acknowledged state, hashes intact. */
    private void verifyStored() throws Exception {
        for (Acked acked : sessions.values()) {
            HttpResponse<String> read = send(acked.user(), "GET", "/persistence/sessions/" + acked.id(), null, null);
            assertEquals(200, read.statusCode(), "acknowledged session " + acked.id() + " is there: " + read.body());
            JsonNode session = JSON.readTree(read.body());
            long version = session.get("version").asLong();
            assertTrue(version >= acked.version(), acked.id() + " is at version " + version + ", acknowledged " + acked.version());
            if (version == acked.version()) {
                assertEquals(acked.hash(), session.get("contentHash").asText(), acked.id() + " holds what was acknowledged");
            }
            assertEquals(CanonicalJson.of(session.get("content")).sha256(), session.get("contentHash").asText(),
                    acked.id() + " is whole: its hash matches its content");
        }
        for (Snapshot snapshot : snapshots) {
            HttpResponse<String> read = send(snapshot.user(), "GET", "/persistence/snapshots/" + snapshot.id(), null, null);
            assertEquals(200, read.statusCode(), "acknowledged snapshot " + snapshot.id() + " is there");
            JsonNode stored = JSON.readTree(read.body());
            assertEquals(snapshot.hash(), stored.get("contentHash").asText());
            assertEquals(CanonicalJson.of(stored.get("content")).sha256(), snapshot.hash());
        }
    }

    /** Every acknowledged save's previous state is a revision of its session, as it was acknowledged. */
    private void verifyHistory() throws Exception {
        for (Replaced state : replaced) {
            HttpResponse<String> read = send(state.user(), "GET", "/persistence/sessions/" + state.id() + "/revisions/"
                    + state.version(), null, null);
            assertEquals(200, read.statusCode(), state + " is in the history: " + read.body());
            JsonNode revision = JSON.readTree(read.body());
            assertEquals(state.hash(), revision.get("contentHash").asText(), state + " as it was");
            assertEquals(CanonicalJson.of(revision.get("content")).sha256(), state.hash(), state + " is whole");
        }
        assertTrue(!replaced.isEmpty(), "the load saved something");
    }

    /**
     * Each user's notice log is unbroken (ids 1, 2, 3, ...) and holds the notice of every acknowledged
     * session version and snapshot exactly once: notices whose writes were acknowledged just before a
     * kill come from the outboxes, published after the restart.
     */
    private void verifyNotices() throws Exception {
        for (String user : USERS) {
            Set<String> expected = new HashSet<>();
            sessions.values().stream().filter(a -> a.user().equals(user))
                    .forEach(a -> expected.add("session.updated " + a.id() + " v" + a.version()));
            snapshots.stream().filter(s -> s.user().equals(user))
                    .forEach(s -> expected.add("snapshot.created " + s.id() + " v0"));
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            Set<String> heard = new HashSet<>();
            List<String> duplicates = new ArrayList<>();
            long last = 0;
            while (!heard.containsAll(expected) && System.nanoTime() < deadline) {
                HttpResponse<String> page = send(user, "GET", "/persistence/notices?wait=1&after=" + last, null, null);
                assertEquals(200, page.statusCode());
                for (JsonNode notice : JSON.readTree(page.body()).get("items")) {
                    long id = notice.get("id").asLong();
                    assertEquals(last + 1, id, user + "'s notice log is unbroken");
                    last = id;
                    String key = notice.get("type").asText() + " " + notice.get("resourceId").asText() + " v"
                            + (notice.has("version") ? notice.get("version").asLong() : 0);
                    if (!heard.add(key)) {
                        duplicates.add(key);
                    }
                }
            }
            Set<String> missing = new HashSet<>(expected);
            missing.removeAll(heard);
            assertEquals(Set.of(), missing, user + ": every acknowledged change has its notice");
            assertEquals(List.of(), duplicates, user + ": no change is noticed twice");
        }
    }

    private HttpResponse<String> send(String user, String method, String path, String body, String ifMatch)
            throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", ServiceProcess.basicAuth(user))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
