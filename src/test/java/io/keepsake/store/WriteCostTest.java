package io.keepsake.store;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.workbenchAs;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.IntConsumer;

import jakarta.inject.Inject;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.keepsake.history.Revisions;
import io.keepsake.notice.NoticePublisher;
import io.keepsake.quota.Quotas;
import io.keepsake.snapshot.SnapshotLifetimes;
import io.keepsake.testing.CommandCost;
import io.keepsake.testing.EmbeddedStoreResource;
import io.keepsake.testing.StoreCommands;
import io.quarkus.logging.Log;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;

/**
 * What each operation costs in store commands, all its work included: the answer, the publication
 * of its notice, and the clearing of its outbox. Each test is one user's twenty operations, one
 * after another; only the commands that name that user or their documents are counted (see
 * {@link CommandCost}), so background work for others never moves the figure. The ceilings are the
 * figures the service reaches; README's table lists them beside the design's budgets.
 * <p>
 * The tests' default profile clears outboxes and stores usage 200 ms after the fact, so that the
 * other tests see the store settle soon; production waits 30 s and 2 s, and twenty operations one
 * after another then share one clear and one usage write. The profile used here waits 1 s for
 * both, shorter than production, so that twenty operations fit in one window of each (its snapshot
 * lifetimes change no command).
 */
@QuarkusTest
@TestProfile(SnapshotLifetimes.class)
class WriteCostTest {

    private static final int OPERATIONS = 20;
    private static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * Ceilings per operation: what the service reaches (2.10 to 2.20: its write, its publication,
     * and its share of one clear and one usage write), with room for a slow machine, where twenty
     * operations span more than one of this profile's windows. The design's budget is 2 for every
     * write and 1.3 for a burst; README's table shows both. With history on (the default) each
     * change of a session also keeps the state it replaced: one command more, {@link #HISTORY};
     * run with {@code -Dkeepsake.revisions.enabled=false} for the figures without.
     */
    private static final double CREATE = 2.3;
    private static final double SAVE = 2.25;
    private static final double KEYED_SAVE = 2.25;
    private static final double PATCH = 2.25;
    private static final double DELETE = 2.3;
    private static final double SNAPSHOT = 2.6;
    private static final double BURST = 1.5;
    /** What keeping the replaced state adds to a change of a session (a create or a delete of a new session keeps none). */
    private static final double HISTORY = 1.0;

    @Inject
    StoreCommands commands;

    @Inject
    Revisions revisions;

    @ConfigProperty(name = "keepsake.reads.max-staleness", defaultValue = "5s")
    Duration maxStaleness;

    @Inject
    NoticePublisher publisher;

    @Inject
    Quotas quotas;

    private static String user(String name) {
        return "cost-" + name;
    }

    /** The user's twenty operations' commands, per operation, once their notices are out and outboxes cleared. */
    private double costPerOperation(String user, IntConsumer operation) throws Exception {
        commands.start();
        for (int i = 0; i < OPERATIONS; i++) {
            operation.accept(i);
        }
        settle(user);
        List<StoreCommands.Statement> recorded = commands.stop();
        double cost = CommandCost.of(user, recorded) / OPERATIONS;
        Log.infof("%s: %.2f store commands per operation", user, cost);
        Map<String, Long> counted = new TreeMap<>();
        CommandCost.named(user, recorded).forEach(st -> counted.merge(st.collection() + " " + st.command(), 1L, Long::sum));
        Log.infof("%s: statements counted, by collection and command: %s", user, counted);
        return cost;
    }

    /** Waits until the user's notices are published, every outbox of theirs cleared and their usage stored. */
    private void settle(String user) throws Exception {
        publisher.drained(user).toCompletableFuture().get(20, TimeUnit.SECONDS);
        await().atMost(WAIT).until(() -> !quotas.unsaved(user));
        var db = EmbeddedStoreResource.database();
        await().atMost(WAIT).until(() -> db.getCollection("sessions")
                .countDocuments(Filters.and(Filters.eq("ownerId", user), Filters.exists("outbox.0"))) == 0
                && db.getCollection("snapshots")
                        .countDocuments(Filters.and(Filters.eq("ownerId", user), Filters.exists("outbox.0"))) == 0);
    }

    /**
     * What a tag held in memory costs besides, per operation, since {@code started}: one check of
     * the store each keepsake.reads.max-staleness, which twenty reads reach only on a slow machine.
     */
    private double staleness(long started) {
        return (double) ((System.nanoTime() - started) / maxStaleness.toNanos()) / OPERATIONS;
    }

    /** What history adds to each change of a session, when it is on. */
    private double history() {
        return revisions.enabled() ? HISTORY : 0;
    }

    private static void assertAtMost(double ceiling, double cost, String what) {
        assertTrue(cost <= ceiling, what + " costs " + cost + " store commands, more than " + ceiling);
    }

    private static Map<String, Object> body(int i) {
        return Map.of("title", "cost", "description", "", "content", Map.of("step", i, "text", "x".repeat(200)));
    }

    private static Response create(String user, int i) {
        Response created = as(user).contentType(ContentType.JSON).body(body(i)).post("/sessions");
        created.then().statusCode(201);
        return created;
    }

    @Test
    void aCreateCostsAtMostItsBudget() throws Exception {
        String user = user("create");
        create(user, 0); // the user's first write also makes their usage document
        settle(user);
        assertAtMost(CREATE, costPerOperation(user, i -> create(user, i)), "POST /sessions");
    }

    /** One change of a session of the user's: the request made with the tag last answered. */
    private interface Change {
        Response make(RequestSpecification request, String tag, int i);
    }

    /** What twenty changes of one session cost, each made with the ETag the one before answered. */
    private double changesInTurn(String user, Change change) throws Exception {
        Response created = create(user, 0);
        String id = created.path("id");
        String[] tag = {created.header("ETag")};
        return costPerOperation(user, i -> {
            Response changed = change.make(as(user).basePath("/persistence/sessions/" + id).header("If-Match", tag[0]),
                    tag[0], i);
            changed.then().statusCode(200);
            tag[0] = changed.header("ETag");
        });
    }

    @Test
    void aSaveCostsAtMostItsBudget() throws Exception {
        assertAtMost(SAVE + history(), changesInTurn(user("save"), (request, tag, i) -> request.contentType(ContentType.JSON)
                .body(body(i + 1)).put()), "PUT /sessions/{id} with If-Match");
    }

    @Test
    void aKeyedSaveCostsAtMostItsBudget() throws Exception {
        assertAtMost(KEYED_SAVE + history(), changesInTurn(user("keyed"), (request, tag, i) -> request.contentType(ContentType.JSON)
                .header("Idempotency-Key", UUID.randomUUID().toString()).body(body(i + 1)).put()),
                "PUT /sessions/{id} with If-Match and Idempotency-Key");
    }

    @Test
    void aBatchOfSavesCostsNoMoreThanTheSavesAloneAndItsRecord() throws Exception {
        String user = user("batch");
        Response created = create(user, 0);
        String id = created.path("id");
        settle(user);
        List<Map<String, Object>> saves = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            saves.add(Map.of("method", "PUT", "path", "/sessions/" + id,
                    "headers", Map.of("If-Match", i == 0 ? created.header("ETag") : "$" + i), "body", body(i + 1)));
        }
        commands.start();
        as(user).contentType(ContentType.JSON).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("operations", saves)).post("/batch").then().statusCode(200)
                .body("results.status", org.hamcrest.Matchers.everyItem(org.hamcrest.Matchers.equalTo(200)));
        settle(user);
        double cost = CommandCost.of(user, commands.stop()) / OPERATIONS;
        Log.infof("%s: %.2f store commands per operation", user, cost);
        // The batch's own record: its insert and its completion, shared by its operations.
        assertAtMost(SAVE + history() + 2.0 / OPERATIONS, cost, "a batch of PUT /sessions/{id} with If-Match");
    }

    @Test
    void aMergePatchCostsAtMostItsBudget() throws Exception {
        assertAtMost(PATCH + history(), changesInTurn(user("patch"), (request, tag, i) -> request
                .contentType("application/merge-patch+json").body(Map.of("content", Map.of("step", i + 1))).patch()),
                "PATCH /sessions/{id}");
    }

    @Test
    void aDeleteCostsAtMostItsBudget() throws Exception {
        String user = user("delete");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            ids.add(create(user, i).path("id"));
        }
        settle(user);
        assertAtMost(DELETE, costPerOperation(user, i -> as(user).delete("/sessions/" + ids.get(i)).then().statusCode(204)),
                "DELETE /sessions/{id}");
    }

    @Test
    void aSnapshotOfASessionCostsAtMostItsBudget() throws Exception {
        String user = user("snapshot");
        String id = create(user, 0).path("id");
        as(user).contentType(ContentType.JSON).body(Map.of("sessionId", id, "title", "first")).post("/snapshots")
                .then().statusCode(201); // the user's first snapshot counts their usage
        settle(user);
        // A snapshot copies what a read shows: measured once reads of the session come from memory.
        awaitReadsFromMemory(user, id);
        long started = System.nanoTime();
        double cost = costPerOperation(user, i -> as(user).contentType(ContentType.JSON)
                .body(Map.of("sessionId", id, "title", "frozen " + i)).post("/snapshots").then().statusCode(201));
        assertAtMost(SNAPSHOT + staleness(started), cost, "POST /snapshots from a session");
    }

    /**
     * Waits until a read of the session costs no store command: a service just started first waits
     * for its notice feed to have read the store, and until then each read checks the store, as it must.
     */
    private void awaitReadsFromMemory(String user, String id) {
        await().atMost(WAIT).until(() -> {
            commands.start();
            as(user).get("/sessions/" + id).then().statusCode(200);
            return CommandCost.of(user, commands.stop()) == 0;
        });
    }

    private static String workbenchBody(int i) {
        return "{\"title\":\"cost\",\"description\":\"\",\"content\":\"{\\\"step\\\":" + i + "}\"}";
    }

    @Test
    void theWorkbenchSurfacesWritesCostAtMostTheirBudget() throws Exception {
        String creator = user("wcreate");
        workbenchAs(creator).contentType(ContentType.JSON).body(workbenchBody(0)).post("/sessions").then().statusCode(200);
        settle(creator);
        assertAtMost(CREATE, costPerOperation(creator, i -> workbenchAs(creator).contentType(ContentType.JSON)
                .body(workbenchBody(i)).post("/sessions").then().statusCode(200)), "the workbench's create");

        String saver = user("wsave");
        String id = workbenchAs(saver).contentType(ContentType.JSON).body(workbenchBody(0)).post("/sessions")
                .then().statusCode(200).extract().as(String.class);
        settle(saver);
        assertAtMost(SAVE + history(), costPerOperation(saver, i -> workbenchAs(saver).contentType(ContentType.JSON)
                .body(workbenchBody(i + 1)).put("/sessions/" + id).then().statusCode(200)), "the workbench's save");

        String deleter = user("wdelete");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            ids.add(workbenchAs(deleter).contentType(ContentType.JSON).body(workbenchBody(i)).post("/sessions")
                    .then().statusCode(200).extract().as(String.class));
        }
        settle(deleter);
        assertAtMost(DELETE, costPerOperation(deleter, i -> workbenchAs(deleter).delete("/sessions/" + ids.get(i))
                .then().statusCode(200)), "the workbench's delete");
    }

    @Test
    void unchangedReadsAndPollsCostAlmostNothing() throws Exception {
        String user = user("reads");
        Response created = create(user, 0);
        String id = created.path("id");
        String tag = created.header("ETag");
        settle(user);
        awaitReadsFromMemory(user, id);
        long started = System.nanoTime();
        double read = costPerOperation(user, i -> as(user).get("/sessions/" + id).then().statusCode(200));
        assertAtMost(0.2 + staleness(started), read, "GET an unchanged session");
        started = System.nanoTime();
        double poll = costPerOperation(user, i -> as(user).header("If-None-Match", tag)
                .get("/sessions/metadata/" + id).then().statusCode(304));
        assertAtMost(0.2 + staleness(started), poll, "a poll answered 304");
    }

    @Test
    void oneUsersConcurrentSavesShareTheirPublications() throws Exception {
        String user = user("burst");
        List<String> ids = new ArrayList<>();
        List<String> tags = new ArrayList<>();
        for (int i = 0; i < OPERATIONS; i++) {
            Response created = create(user, i);
            ids.add(created.path("id"));
            tags.add(created.header("ETag"));
        }
        settle(user);
        commands.start();
        // One thread a save, all let go at once: on two cores the common pool would send them one by one.
        ExecutorService clients = Executors.newFixedThreadPool(OPERATIONS);
        CountDownLatch go = new CountDownLatch(1);
        List<CompletableFuture<Void>> saves = new ArrayList<>();
        try {
            for (int i = 0; i < OPERATIONS; i++) {
                int n = i;
                saves.add(CompletableFuture.runAsync(() -> {
                    awaitUninterruptibly(go);
                    as(user).contentType(ContentType.JSON).header("If-Match", tags.get(n))
                            .body(body(n + 100)).put("/sessions/" + ids.get(n)).then().statusCode(200);
                }, clients));
            }
            go.countDown();
            CompletableFuture.allOf(saves.toArray(CompletableFuture[]::new)).get(30, TimeUnit.SECONDS);
        } finally {
            clients.shutdownNow();
        }
        settle(user);
        double cost = CommandCost.of(user, commands.stop()) / OPERATIONS;
        Log.infof("%s: %.2f store commands per concurrent save", user, cost);
        assertAtMost(BURST + history(), cost, "a concurrent save");
    }

    private static void awaitUninterruptibly(CountDownLatch latch) {
        try {
            latch.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
