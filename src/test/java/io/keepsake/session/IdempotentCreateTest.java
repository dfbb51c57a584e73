package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasSize;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** A replayed create never makes a second session. */
@QuarkusTest
class IdempotentCreateTest {

    @TestHTTPResource("/")
    URI base;

    private static Response create(String user, String key, String title, Object content) {
        return as(user).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("title", title, "content", content)).post("/sessions");
    }

    private static int countTitled(String user, String title) {
        return as(user).queryParam("filter_title", title).get("/sessions").path("items.size()");
    }

    @Test
    void theSameKeyAndBodyReturnTheOriginalResponse() {
        String key = UUID.randomUUID().toString();
        String title = "offline-" + key;
        Response first = create(ALICE, key, title, Map.of("n", 1));
        Response replay = create(ALICE, key, title, Map.of("n", 1));

        first.then().statusCode(201);
        replay.then().statusCode(201)
                .header("Location", equalTo(first.header("Location")))
                .header("ETag", equalTo(first.header("ETag")));
        assertEquals(first.asString(), replay.asString());
        assertEquals(1, countTitled(ALICE, title));
    }

    @Test
    void theSameKeyWithAnotherBodyIs422() {
        String key = UUID.randomUUID().toString();
        create(ALICE, key, "first-" + key, 1).then().statusCode(201);
        create(ALICE, key, "first-" + key, 2).then().statusCode(422)
                .contentType("application/problem+json")
                .body("detail", containsString("different request"));
        assertEquals(1, countTitled(ALICE, key));
    }

    @Test
    void keysArePrivateToEachUser() {
        String key = UUID.randomUUID().toString();
        String alices = create(ALICE, key, "shared-key-" + key, 1).path("id");
        String bobs = create(BOB, key, "shared-key-" + key, 1).then().statusCode(201).extract().path("id");
        assertNotEquals(alices, bobs);
    }

    @Test
    void aRefusedCreateDoesNotUseUpItsKey() {
        String key = UUID.randomUUID().toString();
        create(ALICE, key, "t".repeat(60), 1).then().statusCode(400);
        create(ALICE, key, "kept-" + key, 1).then().statusCode(201);
    }

    @Test
    void malformedKeysAre400() {
        create(ALICE, "k".repeat(256), "x", 1).then().statusCode(400).body("field", equalTo("Idempotency-Key"));
    }

    @Test
    void concurrentRetriesOfOneCreateMakeOneSession() {
        String key = UUID.randomUUID().toString();
        String title = "burst-" + key;
        List<HttpResponse<String>> responses = Http.concurrently(12, i -> Http
                .request(base, "persistence/sessions", ALICE)
                .header("Content-Type", "application/json")
                .header("Idempotency-Key", key)
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + title + "\",\"content\":[1,2,3]}"))
                .build());

        Set<Integer> statuses = responses.stream().map(HttpResponse::statusCode).collect(Collectors.toSet());
        assertTrue(Set.of(201, 409).containsAll(statuses), () -> "statuses: " + statuses);
        Set<String> ids = responses.stream().filter(r -> r.statusCode() == 201)
                .map(r -> JsonPath.from(r.body()).getString("id")).collect(Collectors.toSet());
        assertEquals(1, ids.size());
        responses.stream().filter(r -> r.statusCode() == 409)
                .forEach(r -> assertEquals("1", r.headers().firstValue("Retry-After").orElseThrow()));
        as(ALICE).queryParam("filter_title", title).get("/sessions").then().body("items", hasSize(1))
                .body("items[0].id", equalTo(ids.iterator().next()));
    }
}
