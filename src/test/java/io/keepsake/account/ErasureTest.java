package io.keepsake.account;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.workbenchAs;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.MongoDatabase;

import io.keepsake.testing.Api;
import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** {@code DELETE /persistence/me}: everything of the caller's goes, by a durable task, and only what may stay stays. */
@QuarkusTest
class ErasureTest {

    private static final String USER = "eraser";
    private static final Duration WAIT = Duration.ofSeconds(30);

    @Test
    void everythingOfTheCallersGoesAndWritesWaitMeanwhile() {
        // A life's worth: sessions with history, a keyed write, snapshots others visited, visits of others'.
        Response created = Api.createSession(USER, "to go", Map.of("secret", "eraser's"));
        String session = created.path("id");
        as(USER).contentType(ContentType.JSON).header("If-Match", created.header("ETag")).header("Idempotency-Key", "k-1")
                .body(Map.of("title", "to go", "content", Map.of("secret", "eraser's, again"))).put("/sessions/" + session)
                .then().statusCode(200);
        Api.newSession(USER, "also to go", Map.of("n", 2));
        String snapshot = as(USER).contentType(ContentType.JSON).body(Map.of("sessionId", session, "title", "shared"))
                .post("/snapshots").then().statusCode(201).extract().path("id");
        as("bob").get("/snapshots/" + snapshot).then().statusCode(200);
        String bobs = Api.newSnapshot("bob", "bob's", Map.of("bob", true));
        as(USER).get("/snapshots/" + bobs).then().statusCode(200);
        await().atMost(WAIT).until(() -> as(USER).get("/snapshot_access_logs").then().extract()
                .<List<String>>path("items.snapshotId").contains(bobs));
        long cursorBefore = Long.parseLong(Api.noticeCursor(USER));

        Response asked = as(USER).delete("/me");
        asked.then().statusCode(202).header("Location", "/persistence/me/erasure")
                .body("status", equalTo("pending")).body("user", equalTo(USER));
        // Meanwhile writes are refused, on both surfaces; reads are not.
        as(USER).contentType(ContentType.JSON).body(Map.of("title", "new", "content", 1)).post("/sessions").then()
                .statusCode(409).contentType("application/problem+json").body("detail", containsString("erased"));
        workbenchAs(USER).contentType(ContentType.JSON).body(Map.of("title", "new", "content", "{}")).post("/sessions")
                .then().statusCode(409);
        as(USER).contentType(ContentType.JSON).body(Map.of("sessionId", session)).post("/snapshots").then()
                .statusCode(409).contentType("application/problem+json").body("erasure", equalTo("/persistence/me/erasure"));
        workbenchAs(USER).contentType(ContentType.JSON).body(Map.of("title", "new", "content", "{}")).post("/snapshots")
                .then().statusCode(409);
        as(USER).get("/sessions").then().statusCode(200);
        as(USER).delete("/me").then().statusCode(202).body("status", equalTo("pending"));

        await().atMost(WAIT).until(() -> "done".equals(as(USER).get("/me/erasure").then().statusCode(200)
                .extract().path("status")));
        as(USER).get("/me/erasure").then().body("deleted.sessions", equalTo(2)).body("deleted.snapshots", equalTo(1))
                .body("deleted.revisions", equalTo(1)).body("deleted.snapshotAccessLogs", equalTo(2))
                .body("requestedBy", equalTo(USER));

        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            MongoDatabase store = client.getDatabase("keepsake");
            List<String> left = new ArrayList<>();
            for (String name : store.listCollectionNames()) {
                for (Document doc : store.getCollection(name).find()) {
                    if (doc.toJson().contains(USER) || doc.toJson().contains(session) || doc.toJson().contains(snapshot)) {
                        left.add(name + " " + doc.toJson());
                    }
                }
            }
            // What may stay: the erasure record, the head of the notice log (numbers are never given out
            // twice), the snapshot's tombstone (id and "erased" only), the finished task that did it.
            for (String doc : left) {
                boolean allowed = doc.startsWith("erasures ") || doc.startsWith("notices {\"_id\": \"" + USER + ":head\"")
                        || (doc.startsWith("snapshots ") && doc.contains("\"erased\": true") && !doc.contains("ownerId")
                                && !doc.contains("title") && !doc.contains("canonical"))
                        || (doc.startsWith("tasks ") && doc.contains("erase-user"));
                assertTrue(allowed, "left behind: " + doc);
            }
            assertTrue(left.stream().anyMatch(doc -> doc.startsWith("snapshots ")), "the snapshot's tombstone stays");
        }
        as(USER).get("/sessions/" + session).then().statusCode(404);
        // Share links of the erased snapshots answer 410, to a browser and to an API client.
        as("bob").get("/snapshots/" + snapshot).then().statusCode(410).contentType("application/problem+json")
                .body("detail", containsString("erased")).body("reason", equalTo("erased"));
        given().header("Accept", "text/html").redirects().follow(false).get("/s/" + snapshot).then().statusCode(410)
                .body(containsString("This snapshot was erased"));
        given().header("Accept", "application/json").redirects().follow(false).get("/s/" + snapshot).then().statusCode(410);
        as("bob").get("/snapshots/" + bobs).then().statusCode(200);

        // A life after: writes work again, and notice numbers go on above every one given out.
        Api.newSession(USER, "a new start", Map.of("n", 1));
        as(USER).get("/notices").then().statusCode(200);
        await().atMost(WAIT).until(() -> Long.parseLong(Api.noticeCursor(USER)) > cursorBefore);
    }

    @Test
    void anEraseStuckForAnHourIsQueuedAgainWhenAskedForAgain() {
        String session = Api.newSession("stuck", "left by a dead erase", Map.of("n", 1));
        try (MongoClient client = MongoClients.create(EmbeddedStoreResource.connectionString())) {
            // As a task that died for good leaves it: running, asked for two hours ago, no task.
            client.getDatabase("keepsake").getCollection("erasures").insertOne(new Document("_id", "stuck")
                    .append("status", "running").append("requestedAt", java.util.Date.from(
                            java.time.Instant.now().minus(Duration.ofHours(2)))).append("deleted", new Document()));
        }
        as("stuck").delete("/me").then().statusCode(202).body("status", equalTo("pending"));
        await().atMost(WAIT).until(() -> "done".equals(as("stuck").get("/me/erasure").then().extract().path("status")));
        as("stuck").get("/sessions/" + session).then().statusCode(404);
    }

    @Test
    void anOperatorExportsAndErasesAnyUser() {
        String session = Api.newSession("erased", "theirs", Map.of("n", 1));
        given().auth().preemptive().basic("operator", "operator-secret").get("/persistence/users/erased/export").then()
                .statusCode(200).contentType(containsString("application/x-ndjson")).body(containsString(session));
        as("bob").get("/users/erased/export").then().statusCode(403);
        as("bob").delete("/users/erased").then().statusCode(403);

        given().auth().preemptive().basic("operator", "operator-secret").delete("/persistence/users/erased").then()
                .statusCode(202).header("Location", "/persistence/users/erased/erasure").body("requestedBy", equalTo("operator"));
        await().atMost(WAIT).until(() -> "done".equals(given().auth().preemptive().basic("operator", "operator-secret")
                .get("/persistence/users/erased/erasure").then().statusCode(200).extract().path("status")));
        as("erased").get("/sessions").then().statusCode(200).body("items.size()", equalTo(0));
        as("erased").get("/me/erasure").then().statusCode(200).body("status", equalTo("done"))
                .body("deleted.sessions", greaterThan(0));
        as("bob").get("/me/erasure").then().statusCode(404);
    }
}
