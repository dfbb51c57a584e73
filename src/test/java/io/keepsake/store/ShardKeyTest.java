package io.keepsake.store;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.workbenchAs;
import static io.keepsake.testing.ShardKeys.mentions;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;
import com.mongodb.client.model.Filters;

import io.keepsake.accesslog.AccessLogRetention;
import io.keepsake.notice.NoticeSweep;
import io.keepsake.snapshot.SnapshotEnds;
import io.keepsake.testing.EmbeddedStoreResource;
import io.keepsake.testing.ShardKeys;
import io.keepsake.testing.SocketClient;
import io.keepsake.testing.StoreCommands;
import io.keepsake.testing.StoreCommands.Statement;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * On a sharded store (MongoDB sharded cluster, Cosmos DB partitions) a statement that does not
 * name its collection's shard key goes to every shard, and a write to one document without it is
 * refused. This walks the API as its users do, records every statement the service sends to the
 * store meanwhile (background work included), and checks each against the design's shard keys.
 */
@QuarkusTest
class ShardKeyTest {

    /** Users of this test alone: the walk leaves sessions, snapshots and visit logs behind. */
    private static final String OWNER = "frank";
    private static final String VISITOR = "grace";
    private static final Duration WAIT = Duration.ofSeconds(20);

    /**
     * The statements that go to every shard on purpose, each with its reason. Anything else that
     * misses its shard key fails the test.
     */
    private static final List<Scatter> DELIBERATE = List.of(
            // Snapshots are sharded by _id because anyone with a share link reads one by id; a
            // user's own snapshots are therefore spread over the shards, each answering from its
            // owner index.
            new Scatter("snapshots", "find", "the owner's snapshot list",
                    s -> s.sorted() && mentions(s.filter(), "ownerId")),
            // Outboxes an instance left behind when it stopped may be anyone's (start-up, then every few minutes).
            new Scatter("sessions", "find", "recovery of left-behind outboxes", s -> mentions(s.filter(), "outbox.at")),
            new Scatter("snapshots", "find", "recovery of left-behind outboxes", s -> mentions(s.filter(), "outbox.at")),
            // A user's quota usage is counted from what they stored once, when their usage document is made.
            new Scatter("snapshots", "aggregate", "counting a user's snapshots for their first quota use",
                    s -> mentions(s.filter(), "ownerId")),
            // Usage documents changed since they were last counted, for their reconciliation (every 10 minutes).
            new Scatter("usage", "find", "usage to count again", s -> mentions(s.filter(), "changedAt")),
            // A snapshot's visitors, and so its logs, are on any shard.
            new Scatter("snapshot_access_logs", "aggregate", "the owner's visit totals of a snapshot",
                    s -> mentions(s.filter(), "snapshotId")),
            new Scatter("snapshot_access_logs", "update", "marking a deleted snapshot's logs (a task, once per deletion)",
                    s -> s.multi() && mentions(s.filter(), "snapshotId")),
            // A queue is read as a whole; the claim itself then writes to one task by _id.
            new Scatter("tasks", "find", "the due tasks a runner may claim",
                    s -> s.sorted() && mentions(s.filter(), "nextAttemptAt")),
            new Scatter("tasks", "find", "dead tasks (admin view)", s -> s.sorted() && mentions(s.filter(), "status")),
            new Scatter("tasks", "aggregate", "queue depth by status (gauge, admin view)", s -> mentions(s.filter(), "status")),
            new Scatter("tasks", "update", "burying tasks whose runners died (at the runner's seldom safety looks)",
                    s -> s.multi() && mentions(s.filter(), "leaseUntil")),
            new Scatter("tasks", "update", "giving back a stopping runner's leases",
                    s -> s.multi() && mentions(s.filter(), "leaseOwner")),
            // Which users' notice logs grew lately: the tailing feed, on stores without change streams.
            new Scatter("notices", "find", "logs grown lately (tailing notice feed)", s -> mentions(s.filter(), "grewAt")),
            new Scatter("notices", "aggregate", "the change-stream notice feed", s -> s.filter().containsKey("$changeStream")),
            // Scheduled sweeps of expired records (a TTL index does the same where the store has one).
            sweep("ws_tickets"), sweep("tasks"), sweep("idempotency_records"),
            new Scatter("sessions", "find", "the sweep of sessions whose idle lifetime ended",
                    s -> mentions(s.filter(), "expiresAt") && !mentions(s.filter(), "ownerId")),
            new Scatter("revisions", "find", "the sweep of revisions past max-age", s -> mentions(s.filter(), "replacedAt")
                    && !mentions(s.filter(), "ownerId")),
            new Scatter("revisions", "delete", "the sweep of revisions past max-age", s -> mentions(s.filter(), "replacedAt")
                    && !mentions(s.filter(), "ownerId")),
            // The notice sweep reads the list of logs (their heads), then goes through each log by id.
            new Scatter("notices", "find", "the notice sweep's list of logs", s -> mentions(s.filter(), "grewAt")),
            // Ended snapshots are anyone's; each end is then carried out by the snapshot's id.
            new Scatter("snapshots", "find", "the end sweep's read of snapshots whose end has come",
                    s -> mentions(s.filter(), "endDue")),
            // Logs not visited for the retention period are anyone's; each batch's delete names their visitors.
            new Scatter("snapshot_access_logs", "find", "the retention sweep's read of logs past retention",
                    s -> mentions(s.filter(), "lastVisitedAt") && !ShardKeys.pins(s.filter(), "visitorId", false)));

    /** The kinds of statement the walk must have produced: proof that the recording saw the traffic. */
    private static final Set<String> EXPECTED = Set.of(
            "insert sessions", "find sessions", "findAndModify sessions", "update sessions",
            "insert snapshots", "find snapshots", "findAndModify snapshots", "update snapshots",
            "update snapshot_access_logs", "find snapshot_access_logs", "delete snapshot_access_logs",
            "update notices", "find notices",
            "insert tasks", "findAndModify tasks", "update tasks",
            "insert idempotency_records", "find idempotency_records", "update idempotency_records",
            "insert ws_tickets", "findAndModify ws_tickets",
            "update revisions", "find revisions");

    @Inject
    StoreCommands commands;

    @Inject
    NoticeSweep notices;

    @Inject
    SnapshotEnds ends;

    @Inject
    AccessLogRetention retention;

    @TestHTTPResource("/")
    URI base;

    private MongoClient observer;
    private MongoDatabase store;

    @BeforeEach
    void observe() {
        // The test's own look at the store goes through a client of its own, which is not recorded.
        observer = MongoClients.create(EmbeddedStoreResource.connectionString());
        store = observer.getDatabase("keepsake");
    }

    @AfterEach
    void close() {
        commands.stop();
        observer.close();
    }

    @Test
    void everyStatementOfAnApiWalkNamesItsCollectionsShardKey() throws Exception {
        commands.start();
        Walk walk = walkTheApi();
        waitForBackgroundWork(walk);
        notices.sweep().await().atMost(Duration.ofSeconds(60));
        endAndForget(walk);
        List<Statement> statements = commands.stop().stream()
                .filter(s -> s.database().equals("keepsake") && ShardKeys.KEYS.containsKey(s.collection()))
                .toList();

        Set<String> seen = statements.stream().map(s -> s.command() + " " + s.collection())
                .collect(Collectors.toCollection(TreeSet::new));
        assertTrue(seen.containsAll(EXPECTED), () -> "not seen: " + EXPECTED.stream()
                .filter(kind -> !seen.contains(kind)).sorted().toList() + "; seen: " + seen);
        List<String> missing = new ArrayList<>();
        for (Statement statement : statements) {
            if (!ShardKeys.named(statement) && DELIBERATE.stream().noneMatch(scatter -> scatter.covers(statement))) {
                missing.add(statement + " (shard key " + ShardKeys.KEYS.get(statement.collection()) + ")");
            }
        }
        assertEquals(List.of(), missing, "statements without their collection's shard key");
    }

    private record Walk(String session, String deletedSnapshot, String forgottenSnapshot, String endingSnapshot) {
    }

    /** What the users do: sessions, a socket, snapshots, share links, visit logs, notices, the admin view. */
    private Walk walkTheApi() throws Exception {
        String cursor = as(OWNER).get("/notices").then().statusCode(200).extract().path("cursor");

        // Sessions, the first one created offline-safe: the replay gets the first answer.
        String key = UUID.randomUUID().toString();
        Response created = as(OWNER).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("title", "walk", "description", "shard keys", "content", Map.of("step", 1)))
                .post("/sessions");
        created.then().statusCode(201);
        String id = created.path("id");
        as(OWNER).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("title", "walk", "description", "shard keys", "content", Map.of("step", 1)))
                .post("/sessions").then().statusCode(201).body("id", equalTo(id));
        String etag = created.header("ETag");
        as(OWNER).get("/sessions/" + id).then().statusCode(200);
        as(OWNER).header("If-None-Match", etag).get("/sessions/" + id).then().statusCode(304);
        as(OWNER).get("/sessions/metadata/" + id).then().statusCode(200);
        as(VISITOR).get("/sessions/" + id).then().statusCode(404);
        as(OWNER).queryParam("filter_title", "walk").queryParam("sort_by", "title").queryParam("page_size", 1)
                .get("/sessions").then().statusCode(200);
        String second = as(OWNER).queryParam("page_size", 1).get("/sessions").then().statusCode(200)
                .extract().path("pageToken");
        if (second != null) {
            as(OWNER).queryParam("page_size", 1).queryParam("cursor", second).get("/sessions").then().statusCode(200);
        }

        // A tab listening on the socket, subscribed to the session with the hash it holds.
        String ticket = as(OWNER).post("/notices/tickets").then().statusCode(201).extract().path("ticket");
        try (SocketClient tab = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket + "&client_id=walk")) {
            assertNotNull(tab.next("ready"));
            tab.send("{\"type\":\"subscribe\",\"sessions\":[{\"id\":\"" + id + "\",\"hash\":\""
                    + created.path("contentHash") + "\"}]}");
            assertNotNull(tab.next("subscribed"));

            Response put = as(OWNER).contentType(ContentType.JSON).header("If-Match", etag)
                    .body(Map.of("title", "walk", "content", Map.of("step", 2))).put("/sessions/" + id);
            put.then().statusCode(200);
            as(OWNER).contentType(ContentType.JSON).header("If-Match", etag)
                    .body(Map.of("title", "walk", "content", Map.of("step", 3))).put("/sessions/" + id)
                    .then().statusCode(412);
            Response patched = as(OWNER).contentType("application/merge-patch+json").header("If-Match", put.header("ETag"))
                    .body(Map.of("description", "patched")).patch("/sessions/" + id);
            patched.then().statusCode(200);
            String writeKey = UUID.randomUUID().toString();
            for (int attempt = 0; attempt < 2; attempt++) {
                as(OWNER).contentType(ContentType.JSON).header("If-Match", patched.header("ETag"))
                        .header("Idempotency-Key", writeKey)
                        .body(Map.of("title", "walk", "content", Map.of("step", 4))).put("/sessions/" + id)
                        .then().statusCode(200);
            }
            assertNotNull(tab.next("session.updated"));
        }
        // History: the list, a revision, a diff, a restore.
        as(OWNER).get("/sessions/" + id + "/revisions").then().statusCode(200);
        as(OWNER).get("/sessions/" + id + "/revisions/2").then().statusCode(200);
        as(OWNER).get("/sessions/" + id + "/revisions/2/diff/3").then().statusCode(200);
        String latest = as(OWNER).get("/sessions/metadata/" + id).then().statusCode(200).extract().header("ETag");
        as(OWNER).header("If-Match", latest).post("/sessions/" + id + "/revisions/2/restore").then().statusCode(200);

        // Snapshots: one frozen from the session, one sent whole; a colleague opens the share link.
        String frozen = as(OWNER).contentType(ContentType.JSON).header("Idempotency-Key", UUID.randomUUID().toString())
                .body(Map.of("sessionId", id, "title", "frozen")).post("/snapshots")
                .then().statusCode(201).extract().path("id");
        String sent = as(OWNER).contentType(ContentType.JSON)
                .body(Map.of("title", "sent", "description", "", "content", List.of(1, 2, 3))).post("/snapshots")
                .then().statusCode(201).extract().path("id");
        String ending = as(OWNER).contentType(ContentType.JSON).body(Map.of("title", "ending", "content", 1,
                "expiresAt", Time.now().plus(Duration.ofDays(7)).toString())).post("/snapshots")
                .then().statusCode(201).extract().path("id");
        as(VISITOR).get("/snapshots/" + ending).then().statusCode(200);
        as(OWNER).queryParam("sort_by", "title").get("/snapshots").then().statusCode(200);
        as(OWNER).get("/snapshots/metadata/" + frozen).then().statusCode(200);
        as(VISITOR).get("/snapshots/metadata/" + frozen).then().statusCode(200);
        given().redirects().follow(false).get("/s/" + frozen).then().statusCode(303);
        as(VISITOR).get("/snapshots/" + frozen).then().statusCode(200);
        as(VISITOR).get("/snapshots/" + sent).then().statusCode(200);
        await().atMost(WAIT).until(() -> visited(VISITOR, "all").containsAll(List.of(frozen, sent, ending)));
        // A reload within the visit window: not counted again, only the last visit moves.
        Object lastVisit = visitLog(frozen).get("lastVisitedAt");
        as(VISITOR).get("/snapshots/" + frozen).then().statusCode(200);
        await().atMost(WAIT).until(() -> !Objects.equals(lastVisit, visitLog(frozen).get("lastVisitedAt")));
        assertEquals(1, visitLog(frozen).get("visits"));
        as(VISITOR).queryParam("sort_by", "visits").get("/snapshot_access_logs").then().statusCode(200);
        workbenchAs(VISITOR).get("/snapshot_access_logs").then().statusCode(200);
        as(VISITOR).delete("/snapshot_access_logs/" + sent).then().statusCode(204);

        // The owner deletes a snapshot: its visitors' logs are marked by a task.
        as(OWNER).delete("/snapshots/" + frozen).then().statusCode(204);
        await().atMost(WAIT).until(() -> visited(VISITOR, "true").contains(frozen));
        workbenchAs(OWNER).get("/sessions").then().statusCode(200);
        given().auth().preemptive().basic("operator", "operator-secret").get("/persistence/admin/tasks")
                .then().statusCode(200);

        as(OWNER).delete("/sessions/" + id).then().statusCode(204);
        List<String> types = new ArrayList<>();
        await().atMost(WAIT).until(() -> {
            JsonPath page = as(OWNER).queryParam("after", cursor).queryParam("wait", "1").get("/notices").jsonPath();
            types.clear();
            types.addAll(page.getList("items.type"));
            return types.contains("session.deleted");
        });
        assertTrue(types.containsAll(List.of("session.updated", "session.conflict", "snapshot.created", "snapshot.deleted")),
                () -> "notices: " + types);
        return new Walk(id, frozen, sent, ending);
    }

    /**
     * Until the background work the walk caused is over: the snapshot-delete task done, every
     * outbox published and cleared (the deleted session's tombstone with it).
     */
    private void waitForBackgroundWork(Walk walk) {
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() -> {
            Document task = store.getCollection("tasks").find(Filters.and(Filters.eq("type", "mark-access-logs-deleted"),
                    Filters.eq("payload.snapshotId", walk.deletedSnapshot()))).first();
            return task != null && "done".equals(task.getString("status"));
        });
        await().atMost(WAIT).pollInterval(Duration.ofMillis(100)).until(() ->
                store.getCollection("sessions").countDocuments(Filters.eq("_id", walk.session())) == 0
                        && store.getCollection("snapshots").countDocuments(Filters.and(
                                Filters.in("_id", walk.deletedSnapshot(), walk.forgottenSnapshot()),
                                Filters.exists("outbox.0"))) == 0);
        as(VISITOR).queryParam("filter_snapshot_deleted", "true").get("/snapshot_access_logs").then()
                .statusCode(200).body("items.snapshotId", hasItem(walk.deletedSnapshot()));
    }

    /**
     * Time goes on: a snapshot given an end reaches it and the end sweep carries it out (its visitor's
     * log marked by the task), then every log outlives its retention and the retention sweep forgets it.
     */
    private void endAndForget(Walk walk) {
        try {
            Time.advance(Duration.ofDays(8));
            ends.sweep().await().atMost(WAIT);
            await().atMost(WAIT).until(() -> visited(VISITOR, "true").contains(walk.endingSnapshot()));
            Time.advance(Duration.ofDays(366));
            retention.sweep().await().atMost(WAIT);
            assertEquals(List.of(), visited(VISITOR, "all"));
        } finally {
            Time.reset();
        }
    }

    /** The snapshots the user's visit log lists ({@code filter_snapshot_deleted} as given). */
    private static List<String> visited(String user, String deleted) {
        return as(user).queryParam("filter_snapshot_deleted", deleted).queryParam("page_size", 100)
                .get("/snapshot_access_logs").then().statusCode(200).extract().path("items.snapshotId");
    }

    private static Map<String, Object> visitLog(String snapshot) {
        List<Map<String, Object>> items = as(VISITOR).queryParam("page_size", 100).get("/snapshot_access_logs")
                .then().statusCode(200).extract().path("items");
        return items.stream().filter(item -> snapshot.equals(item.get("snapshotId"))).findFirst().orElseThrow();
    }

    private static Scatter sweep(String collection) {
        return new Scatter(collection, "find", "the sweep's reads of expired records (then deleted by id)",
                s -> mentions(s.filter(), "expiresAt"));
    }

    /** A statement that goes to every shard on purpose: which one, and why. */
    private record Scatter(String collection, String command, String why, Predicate<Statement> shape) {

        boolean covers(Statement statement) {
            return statement.collection().equals(collection) && statement.command().equals(command)
                    && shape.test(statement);
        }
    }
}
