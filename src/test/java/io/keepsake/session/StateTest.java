package io.keepsake.session;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** {@code /persistence/states/{key}}: an app's state under its own key, a session in everything else. */
@QuarkusTest
class StateTest {

    private static final String USER = "erin";

    private static Response put(String user, String key, String condition, String value, Object content) {
        var request = as(user).contentType(ContentType.JSON)
                .body(Map.of("title", "Dashboard", "content", content));
        if (condition != null) {
            request = request.header(condition, value);
        }
        return request.put("/states/" + key);
    }

    @Test
    void aKeyedStatesWholeLife() {
        String key = "dashboard:" + System.nanoTime();
        String cursor = noticeCursor(USER);
        Response created = put(USER, key, "If-None-Match", "*", Map.of("panels", List.of("map")));
        created.then().statusCode(201).header("Location", org.hamcrest.Matchers.endsWith("/persistence/states/" + key)).body("key", equalTo(key))
                .body("version", equalTo(1)).body("id", matchesPattern("[A-Za-z0-9_-]{12}"));
        String id = created.path("id");
        put(USER, key, "If-None-Match", "*", Map.of("panels", List.of())).then().statusCode(412)
                .contentType("application/problem+json");
        put(USER, key, null, null, Map.of("panels", List.of())).then().statusCode(428).contentType("application/problem+json");

        String saved = put(USER, key, "If-Match", created.header("ETag"), Map.of("panels", List.of("map", "wells")))
                .then().statusCode(200).body("version", equalTo(2)).body("key", equalTo(key)).extract().header("ETag");
        put(USER, key, "If-Match", created.header("ETag"), Map.of("panels", List.of())).then().statusCode(412)
                .body("version", equalTo(2));
        String patched = as(USER).contentType("application/merge-patch+json").header("If-Match", saved)
                .body(Map.of("content", Map.of("zoom", 3))).patch("/states/" + key).then().statusCode(200)
                .body("version", equalTo(3)).extract().header("ETag");
        as(USER).get("/states/" + key).then().statusCode(200).header("ETag", patched).body("key", equalTo(key))
                .body("content.zoom", equalTo(3)).body("content.panels", equalTo(List.of("map", "wells")));
        as(USER).header("If-None-Match", patched).get("/states/" + key).then().statusCode(304);
        // It is a session: under its id, with its history, in the session list with its key.
        as(USER).get("/sessions/" + id).then().statusCode(200).body("key", equalTo(key));
        as(USER).get("/sessions/" + id + "/revisions").then().body("items.version", equalTo(List.of(2, 1)));
        as(USER).queryParam("page_size", 100).get("/states").then().statusCode(200).body("items.key", hasItem(key));
        List<Map<String, Object>> notices = noticesAfter(USER, cursor, 3);
        assertTrue(notices.stream().filter(n -> id.equals(n.get("resourceId")) && "session.updated".equals(n.get("type")))
                .count() >= 3, notices.toString());

        as(USER).header("If-Match", patched).delete("/states/" + key).then().statusCode(204);
        as(USER).get("/states/" + key).then().statusCode(404);
        as(USER).queryParam("page_size", 100).get("/states").then().body("items.key", not(hasItem(key)));
        // Made again at once (its tombstone may still be there): a new life, numbered on.
        Response again = put(USER, key, "If-None-Match", "*", Map.of("panels", List.of()));
        again.then().statusCode(201).body("id", equalTo(id));
        assertTrue(again.<Integer>path("version") >= 1);
        as(USER).get("/states/" + key).then().statusCode(200).body("content.panels", equalTo(List.of()));
        as(USER).get("/sessions/" + id + "/revisions").then().statusCode(200);
    }

    @Test
    void aKeyIsTheUsersOwnAndValidated() {
        String key = "layout:" + System.nanoTime();
        String mine = put(USER, key, null, null, Map.of("mine", true)).then().statusCode(201).extract().path("id");
        as("bob").get("/states/" + key).then().statusCode(404);
        String bobs = put("bob", key, null, null, Map.of("bob", true)).then().statusCode(201).extract().path("id");
        assertNotEquals(mine, bobs, "the same key is another state for another user");
        as(USER).get("/states/" + key).then().body("content.mine", equalTo(true));
        as("bob").get("/states/" + key).then().body("content.bob", equalTo(true));
        as("bob").get("/sessions/" + mine).then().statusCode(404);

        as(USER).contentType(ContentType.JSON).body(Map.of("title", "x", "content", 1)).put("/states/has space").then()
                .statusCode(400).contentType("application/problem+json");
        as(USER).contentType(ContentType.JSON).body(Map.of("title", "x", "content", 1)).put("/states/" + "k".repeat(201))
                .then().statusCode(400);
        as(USER).contentType(ContentType.JSON).header("If-None-Match", "\"1-abc\"").body(Map.of("title", "x", "content", 1))
                .put("/states/ok").then().statusCode(400);
        assertEquals(mine, put(USER, key, "If-Match", "*", Map.of("mine", false)).then().statusCode(200).extract().path("id"));
    }

    @Test
    void aReplayedCreateGetsItsFirstAnswer() {
        String key = "replayed:" + System.nanoTime();
        Response first = as(USER).contentType(ContentType.JSON).header("If-None-Match", "*").header("Idempotency-Key", key)
                .body(Map.of("title", "t", "content", 1)).put("/states/" + key);
        first.then().statusCode(201);
        as(USER).contentType(ContentType.JSON).header("If-None-Match", "*").header("Idempotency-Key", key)
                .body(Map.of("title", "t", "content", 1)).put("/states/" + key).then().statusCode(201)
                .header("ETag", first.header("ETag"));
    }
}
