package io.keepsake.sync;

import static io.keepsake.testing.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * {@code POST /persistence/batch}: writes run in order, each answered as it would be alone, with
 * {@code $n} standing for an earlier operation's id or ETag.
 */
@QuarkusTest
class BatchTest {

    static final String USER = "batcher";

    static Map<String, Object> op(String method, String path, Map<String, String> headers, Object body) {
        Map<String, Object> op = new LinkedHashMap<>();
        op.put("method", method);
        op.put("path", path);
        if (headers != null) {
            op.put("headers", headers);
        }
        if (body != null) {
            op.put("body", body);
        }
        return op;
    }

    static Map<String, Object> session(String title, Object content) {
        return Map.of("title", title, "content", content);
    }

    static Response batch(String user, Object batch, String key) {
        var request = as(user).contentType(ContentType.JSON).body(batch);
        if (key != null) {
            request = request.header("Idempotency-Key", key);
        }
        return request.post("/batch");
    }

    static List<Integer> statuses(Response answer) {
        return answer.then().statusCode(200).contentType(ContentType.JSON).extract().path("results.status");
    }

    @Test
    void operationsRunInOrderEachAnsweredAsItWouldBeAloneWithReferencesResolved() {
        String title = "batch " + UUID.randomUUID().toString().substring(0, 8);
        String key = "dashboard:" + System.nanoTime();
        List<Map<String, Object>> ops = List.of(
                op("POST", "/sessions", null, session(title, Map.of("zoom", 1))),
                op("PUT", "/sessions/$1", Map.of("If-Match", "$1"), session(title, Map.of("zoom", 2))),
                op("PUT", "/sessions/$1", Map.of("If-Match", "$2"), session(title, Map.of("zoom", 3))),
                op("PUT", "/sessions/$1", Map.of("If-Match", "$1"), session(title, Map.of("zoom", 9))), // stale: 412
                op("PATCH", "/sessions/AAAAAAAAAAAA", Map.of("If-Match", "*"), Map.of("description", "x")), // 404
                op("DELETE", "/sessions/$4", null, null), // its dependency failed: 424
                op("PUT", "/states/" + key, Map.of("If-None-Match", "*"), session("Dashboard", Map.of("panels", List.of()))),
                op("PUT", "/states/$7", Map.of("If-Match", "$7"), session("Dashboard", Map.of("panels", List.of("map")))),
                op("POST", "/snapshots", null, Map.of("sessionId", "$1", "sessionEtag", "$3")),
                op("PATCH", "/persistence/sessions/$1", Map.of("If-Match", "$3"), Map.of("description", "patched")),
                Map.of("method", "GET", "path", "/sessions"), // not a write a batch may hold: 400
                op("DELETE", "/sessions/$13", null, null)); // a reference forward: 424
        Response answer = batch(USER, Map.of("operations", ops), null);
        assertEquals(List.of(201, 200, 200, 412, 404, 424, 201, 200, 201, 200, 400, 424), statuses(answer));
        JsonPath results = answer.jsonPath();

        String id = results.getString("results[0].body.id");
        assertEquals("/persistence/sessions/" + id, results.getString("results[0].headers.Location"));
        assertEquals(List.of(1, 2, 3), List.of(results.getInt("results[0].body.version"), results.getInt("results[1].body.version"),
                results.getInt("results[2].body.version")));
        assertEquals(results.getString("results[2].headers.ETag"), results.getString("results[3].body.etag"));
        assertEquals("Precondition Failed", results.getString("results[3].body.title"));
        assertEquals("/persistence/sessions/AAAAAAAAAAAA", results.getString("results[4].body.instance"));
        assertEquals(4, results.getInt("results[5].body.dependsOn"));
        assertNull(results.get("results[5].headers.ETag"));
        assertEquals(key, results.getString("results[7].body.key"));
        assertEquals(2, results.getInt("results[7].body.version"));
        assertEquals(3, results.getInt("results[8].body.sessionVersion"));
        assertEquals("path", results.getString("results[10].body.field"));

        // What the API shows afterwards is what the results said.
        as(USER).get("/sessions/" + id).then().statusCode(200).header("ETag", results.getString("results[9].headers.ETag"))
                .body("version", equalTo(4)).body("description", equalTo("patched")).body("content.zoom", equalTo(3));
        as(USER).get("/states/" + key).then().statusCode(200).body("version", equalTo(2))
                .body("content.panels", equalTo(List.of("map")));
        as(USER).get("/sessions/" + id + "/revisions").then().statusCode(200).body("items.version", equalTo(List.of(3, 2, 1)));
        String snapshot = results.getString("results[8].body.id");
        as(USER).get("/snapshots/" + snapshot).then().statusCode(200).body("content.zoom", equalTo(3));
    }

    @Test
    void aBatchReplayedUnderItsIdempotencyKeyGetsTheSameResultsAndWritesNothingTwice() {
        String title = "replayed " + UUID.randomUUID().toString().substring(0, 8);
        String other = as(USER).contentType(ContentType.JSON).body(session(title + " other", 1)).post("/sessions")
                .then().statusCode(201).extract().path("id");
        Map<String, Object> sent = Map.of("operations", List.of(
                op("POST", "/sessions", null, session(title, Map.of("zoom", 1))),
                op("PUT", "/sessions/$1", Map.of("If-Match", "$1"), session(title, Map.of("zoom", 2))),
                op("PUT", "/sessions/" + other, Map.of("If-Match", "\"9-stale\""), session(title, 3))));
        String key = "batch-" + UUID.randomUUID();
        Response first = batch(USER, sent, key);
        assertEquals(List.of(201, 200, 412), statuses(first));
        Response again = batch(USER, sent, key);
        assertEquals(first.asString(), again.asString());
        String id = first.path("results[0].body.id");
        as(USER).get("/sessions/" + id).then().statusCode(200).body("version", equalTo(2));
        as(USER).queryParam("filter_title", title).queryParam("page_size", 100).get("/sessions").then()
                .body("items.size()", equalTo(2));
        // The same key with another batch is refused, as for any write.
        batch(USER, Map.of("operations", List.of(op("POST", "/sessions", null, session(title, 1)))), key).then()
                .statusCode(422);
    }

    @Test
    void anOperationsOwnIdempotencyKeyIsHonouredInsideABatch() {
        String title = "keyed " + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> sent = Map.of("operations", List.of(
                op("POST", "/sessions", Map.of("Idempotency-Key", "create-" + title), session(title, 1))));
        String id = batch(USER, sent, null).then().statusCode(200).extract().path("results[0].body.id");
        assertEquals(id, batch(USER, sent, null).then().statusCode(200).extract().path("results[0].body.id"));
        // A single request with the same key finds the same answer.
        as(USER).contentType(ContentType.JSON).header("Idempotency-Key", "create-" + title).body(session(title, 1))
                .post("/sessions").then().statusCode(201).body("id", equalTo(id));
    }

    @Test
    void aBatchWithoutSessionWritesRunsToo() {
        Response answer = batch(USER, Map.of("operations", List.of(
                op("POST", "/snapshots", null, session("frozen alone", Map.of("zoom", 1))),
                op("POST", "/snapshots", null, Map.of("sessionId", "$1")))), null); // a snapshot's id is no session's
        assertEquals(List.of(201, 404), statuses(answer));
        as(USER).get("/snapshots/" + answer.path("results[0].body.id")).then().statusCode(200).body("content.zoom", equalTo(1));
    }

    @Test
    void stopOnErrorLeavesTheRestUnrunWith424() {
        String title = "stopped " + UUID.randomUUID().toString().substring(0, 8);
        Map<String, Object> sent = new HashMap<>();
        sent.put("stopOnError", true);
        sent.put("operations", List.of(
                op("POST", "/sessions", null, session(title, 1)),
                op("PUT", "/sessions/$1", Map.of("If-Match", "\"7-stale\""), session(title, 2)),
                op("POST", "/sessions", null, session(title, 3)),
                op("DELETE", "/sessions/$1", null, null)));
        Response answer = batch(USER, sent, null);
        assertEquals(List.of(201, 412, 424, 424), statuses(answer));
        assertEquals(2, (int) answer.path("results[2].body.dependsOn"));
        as(USER).queryParam("filter_title", title).get("/sessions").then().body("items.size()", equalTo(1))
                .body("items.version", hasItem(1));
    }

    @Test
    void aBatchOverItsLimitsOrMalformedIsRefusedWholeNamingTheLimit() {
        List<Map<String, Object>> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(op("POST", "/sessions", null, session("many " + i, i)));
        }
        batch(USER, Map.of("operations", many), null).then().statusCode(413).contentType("application/problem+json")
                .body("limit", equalTo("keepsake.batch.max-operations")).body("maxOperations", equalTo(100));
        String large = "x".repeat(1_100_000);
        List<Map<String, Object>> big = List.of(op("POST", "/sessions", null, session("big 1", large)),
                op("POST", "/sessions", null, session("big 2", large)), op("POST", "/sessions", null, session("big 3", large)));
        batch(USER, Map.of("operations", big), null).then().statusCode(413)
                .body("limit", equalTo("keepsake.batch.max-bytes"));
        as(USER).contentType(ContentType.JSON).body("{\"operations\": [").post("/batch").then().statusCode(400)
                .contentType("application/problem+json");
        batch(USER, Map.of("stopOnError", false), null).then().statusCode(400).body("field", equalTo("operations"));
        batch(USER, Map.of("operations", List.of()), null).then().statusCode(400);
        // A malformed operation is its own 400; the others run.
        Response answer = batch(USER, Map.of("operations", List.of(
                Map.of("method", "PUT", "path", "/sessions/x", "headers", Map.of("Authorization", "Basic eA==")),
                Map.of("method", "POST"),
                op("POST", "/sessions", null, Map.of("title", "no content")),
                op("POST", "/sessions", null, session("malformed neighbours", 1)))), null);
        assertEquals(List.of(400, 400, 400, 201), statuses(answer));
        assertEquals("Authorization", answer.path("results[0].body.field"));
        assertNotNull(answer.path("results[2].body.detail"));
    }
}
