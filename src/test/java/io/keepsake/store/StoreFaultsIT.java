package io.keepsake.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.testing.FaultProxy;
import io.keepsake.testing.ServiceProcess;
import io.restassured.path.json.JsonPath;

/**
 * The packaged service with a fault proxy between it and its store. Started while the store is
 * away, it is not ready and answers 503, and becomes ready by itself when the store comes. Then,
 * under writers, the store's connections are reset, every chunk is delayed by 2 s, 30 % of the
 * commands are throttled as Cosmos DB does (error 16500) for 5 s, and the network is black-holed,
 * in turn. Throughout, only 2xx and 503 come back, none later than the bound;
 * readiness goes down and comes back; afterwards every acknowledged create is stored as answered,
 * every create that got a 503 is settled exactly once by its replay (same Idempotency-Key), and
 * every stored session has its notice, numbered without a gap.
 */
class StoreFaultsIT {

    /** How long any answer may take: the store's deadline (keepsake.store.request-deadline, 10 s) and a second. */
    private static final Duration BOUND = Duration.ofSeconds(11);
    private static final List<String> USERS = List.of("alice", "bob");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    record Create(String user, String key, String title, int n) {
    }

    @Test
    void theServiceRidesOutResetsDelaysAndABlackHoleAndLosesNothing() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        EmbeddedStore store = EmbeddedStore.start(data.resolve("store"), "127.0.0.1", 0);
        try (FaultProxy proxy = FaultProxy.to("127.0.0.1", store.port());
                ServiceProcess service = ServiceProcess.start(data.resolve("service"), Path.of("target", "store-faults-it.log"),
                        List.of("-Xmx256m"), "KEEPSAKE_MONGODB_URI", "mongodb://127.0.0.1:" + proxy.port(),
                        "QUARKUS_CONFIG_PROFILE_PARENT", "embedded",
                        // A write answered 503 that the store applied anyway left its notice in its outbox: recovery
                        // publishes it (by default up to recover-every, 5 min, plus recover-after, 1 min, later).
                        "KEEPSAKE_NOTICES_CLEAR_AFTER", "2s", "KEEPSAKE_NOTICES_RECOVER_AFTER", "5s",
                        "KEEPSAKE_NOTICES_RECOVER_EVERY", "5s",
                        // A create answered 503 keeps its Idempotency-Key until the lock times out (30 s by default):
                        // the replays below wait for that. An attempt waits for the store at most its deadline (10 s),
                        // so 15 s still never lets a replay take over an attempt that is running.
                        "KEEPSAKE_IDEMPOTENCY_LOCK_TIMEOUT", "15s",
                        // The writers write as fast as the service answers: neither the rate limit nor the quota is tested here.
                        "KEEPSAKE_RATE_LIMITS_SESSION_WRITES_PER_SECOND", "100000",
                        "KEEPSAKE_QUOTAS_MAX_SESSIONS_PER_USER", "1000000")) {
            // Away at start: the service starts, is not ready, and answers 503.
            proxy.reset();
            long deadline = System.nanoTime() + Duration.ofSeconds(90).toNanos();
            while (ready(service) != 503) {
                assertTrue(System.nanoTime() < deadline, "the service never answered readiness");
                Thread.sleep(100);
            }
            HttpResponse<String> early = send(create(service, new Create("alice", "early", "early", 0)));
            assertEquals(503, early.statusCode(), early.body());
            proxy.pass();
            System.out.println("StoreFaultsIT: ready " + service.awaitReady() + " after start, the store back");

            Map<Create, String> acknowledged = new ConcurrentHashMap<>();
            Set<Create> unsettled = ConcurrentHashMap.newKeySet();
            Map<Integer, AtomicInteger> statuses = new ConcurrentHashMap<>();
            AtomicLong slowest = new AtomicLong();
            AtomicBoolean stop = new AtomicBoolean();
            String run = UUID.randomUUID().toString().substring(0, 8);
            ExecutorService pool = Executors.newFixedThreadPool(4);
            List<Future<?>> writers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                String user = USERS.get(w % USERS.size());
                int writer = w;
                writers.add(pool.submit(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        Create create = new Create(user, run + "-" + writer + "-" + n, "faults " + run + " " + writer + " " + n, n);
                        long started = System.nanoTime();
                        HttpResponse<String> answer = send(create(service, create));
                        slowest.accumulateAndGet(System.nanoTime() - started, Math::max);
                        statuses.computeIfAbsent(answer.statusCode(), s -> new AtomicInteger()).incrementAndGet();
                        if (answer.statusCode() == 201) {
                            acknowledged.put(create, JsonPath.from(answer.body()).getString("id"));
                        } else {
                            unsettled.add(create);
                            if (answer.statusCode() != 503 || answer.headers().firstValue("Retry-After").isEmpty()) {
                                throw new AssertionError("answered " + answer.statusCode() + ": " + answer.body());
                            }
                        }
                    }
                    return null;
                }));
            }
            int notReady = 0;
            try {
                notReady += phase(service, Duration.ofSeconds(2), proxy::pass);
                notReady += phase(service, Duration.ofSeconds(4), proxy::reset);
                notReady += phase(service, Duration.ofSeconds(3), proxy::pass);
                notReady += phase(service, Duration.ofSeconds(6), () -> proxy.delay(Duration.ofSeconds(2)));
                notReady += phase(service, Duration.ofSeconds(3), proxy::pass);
                Map<Integer, Integer> beforeThrottling = counts(statuses);
                notReady += phase(service, Duration.ofSeconds(5), () -> proxy.throttle(0.3));
                proxy.throttle(0);
                Map<Integer, Integer> afterThrottling = counts(statuses);
                afterThrottling.replaceAll((status, count) -> count - beforeThrottling.getOrDefault(status, 0));
                System.out.printf("StoreFaultsIT: 5 s of 30%% of commands throttled (%d in all): answers %s%n",
                        proxy.throttledCount(), afterThrottling);
                assertTrue(proxy.throttledCount() > 0, "commands were throttled");
                assertTrue(afterThrottling.getOrDefault(201, 0) > 4 * afterThrottling.getOrDefault(503, 0),
                        "throttled commands are sent again: " + afterThrottling);
                notReady += phase(service, Duration.ofSeconds(6), proxy::blackHole);
                proxy.pass();
                int before = acknowledged.size();
                long back = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                while (ready(service) != 200 || acknowledged.size() < before + 20) {
                    assertTrue(System.nanoTime() < back, "not back a minute after the faults: " + statuses);
                    Thread.sleep(100);
                }
            } finally {
                proxy.pass();
                stop.set(true);
                for (Future<?> writer : writers) {
                    writer.get();
                }
                pool.shutdown();
            }
            System.out.printf("StoreFaultsIT: answers %s, slowest %d ms, readiness down in %d looks%n", new TreeMap<>(statuses),
                    slowest.get() / 1_000_000, notReady);
            assertTrue(statuses.containsKey(503), "the faults were felt: " + statuses);
            assertTrue(notReady > 0, "readiness went down during the faults");
            assertTrue(slowest.get() < BOUND.toNanos(), "slowest answer " + slowest.get() / 1_000_000 + " ms");

            for (Map.Entry<Create, String> entry : acknowledged.entrySet()) {
                HttpResponse<String> stored = send(HttpRequest.newBuilder(service.base.resolve("/persistence/sessions/" + entry.getValue()))
                        .header("Authorization", ServiceProcess.basicAuth(entry.getKey().user())).GET().build());
                assertEquals(200, stored.statusCode(), "acknowledged " + entry.getKey());
                assertEquals(entry.getKey().n(), JsonPath.from(stored.body()).getInt("content.n"));
            }
            Map<String, Set<String>> stored = new ConcurrentHashMap<>();
            acknowledged.forEach((create, id) -> stored.computeIfAbsent(create.user(), u -> ConcurrentHashMap.newKeySet()).add(id));
            for (Create create : unsettled) {
                HttpResponse<String> replay = send(create(service, create));
                long held = System.nanoTime() + Duration.ofSeconds(45).toNanos();
                while (replay.statusCode() == 409 && System.nanoTime() < held) { // its key still held by the failed attempt
                    Thread.sleep(1_000);
                    replay = send(create(service, create));
                }
                assertEquals(201, replay.statusCode(), replay.body());
                stored.computeIfAbsent(create.user(), u -> ConcurrentHashMap.newKeySet())
                        .add(JsonPath.from(replay.body()).getString("id"));
                HttpResponse<String> found = send(HttpRequest.newBuilder(service.base.resolve("/persistence/sessions?filter_title="
                        + create.title().replace(" ", "%20") + "&page_size=100")).header("Authorization", ServiceProcess.basicAuth(create.user())).GET().build());
                List<String> titles = JsonPath.from(found.body()).getList("items.title", String.class);
                assertEquals(1, titles.stream().filter(create.title()::equals).count(), "sessions for " + create);
            }
            // Every stored session's notice, each user's numbered 1, 2, 3, ... without a gap.
            for (Map.Entry<String, Set<String>> user : stored.entrySet()) {
                long noticed = System.nanoTime() + Duration.ofSeconds(60).toNanos();
                List<String> missing;
                while (!(missing = unnoticed(service, user.getKey(), user.getValue())).isEmpty()) {
                    assertTrue(System.nanoTime() < noticed, missing.size() + " stored sessions of " + user.getKey()
                            + " have no notice a minute after the faults");
                    Thread.sleep(500);
                }
            }
        } finally {
            store.stop();
        }
    }

    /** The sessions of {@code ids} that no notice of the user names; fails if the notices' numbers have a gap. */
    private List<String> unnoticed(ServiceProcess service, String user, Set<String> ids) {
        Set<String> named = new java.util.HashSet<>();
        long last = 0;
        while (true) {
            HttpResponse<String> page = send(HttpRequest.newBuilder(service.base.resolve("/persistence/notices?after=" + last))
                    .header("Authorization", ServiceProcess.basicAuth(user)).GET().build());
            assertEquals(200, page.statusCode(), page.body());
            JsonPath body = JsonPath.from(page.body());
            List<Map<String, Object>> items = body.getList("items");
            if (items.isEmpty()) {
                return ids.stream().filter(id -> !named.contains(id)).toList();
            }
            for (Map<String, Object> item : items) {
                long number = Long.parseLong((String) item.get("id"));
                assertEquals(last + 1, number, user + "'s notices follow each other without a gap");
                last = number;
                named.add((String) item.get("resourceId"));
            }
        }
    }

    private static Map<Integer, Integer> counts(Map<Integer, AtomicInteger> statuses) {
        Map<Integer, Integer> counts = new TreeMap<>();
        statuses.forEach((status, count) -> counts.put(status, count.get()));
        return counts;
    }

    /** Runs a fault for a while, looking at readiness meanwhile; returns how many looks found it down. */
    private int phase(ServiceProcess service, Duration length, Runnable fault) throws Exception {
        fault.run();
        int down = 0;
        long end = System.nanoTime() + length.toNanos();
        while (System.nanoTime() < end) {
            down += ready(service) == 200 ? 0 : 1;
            Thread.sleep(200);
        }
        return down;
    }

    private int ready(ServiceProcess service) {
        try {
            return http.send(HttpRequest.newBuilder(service.management.resolve("/q/health/ready")).timeout(Duration.ofSeconds(10))
                    .build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (Exception e) {
            return -1;
        }
    }

    private static HttpRequest create(ServiceProcess service, Create create) {
        String body = "{\"title\":\"" + create.title() + "\",\"content\":{\"n\":" + create.n() + "}}";
        return HttpRequest.newBuilder(service.base.resolve("/persistence/sessions")).timeout(Duration.ofSeconds(60))
                .header("Authorization", ServiceProcess.basicAuth(create.user())).header("Content-Type", "application/json")
                .header("Idempotency-Key", create.key()).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private HttpResponse<String> send(HttpRequest request) {
        try {
            return http.send(request, HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new AssertionError("no answer to " + request.uri() + ": " + e, e);
        }
    }
}
