package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.keepsake.hashing.CanonicalJson;
import io.keepsake.testing.Http;
import io.keepsake.web.Idempotency;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * PUT, PATCH and DELETE honour {@code Idempotency-Key} as POST does: a queued write replayed after
 * it had already succeeded gets its first answer, not a 412 against the tag it moved on.
 */
@QuarkusTest
class IdempotentWriteTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    Idempotency idempotency;

    private static Response put(String id, String etag, String key, Object content) {
        return as(ALICE).contentType(ContentType.JSON).header("If-Match", etag).header("Idempotency-Key", key)
                .body(Map.of("title", "Board", "content", content)).put("/sessions/" + id);
    }

    private static Response patch(String id, String etag, String key, String body) {
        return as(ALICE).contentType("application/merge-patch+json").header("If-Match", etag)
                .header("Idempotency-Key", key).body(body).patch("/sessions/" + id);
    }

    private static Response delete(String id, String etag, String key) {
        return as(ALICE).header("If-Match", etag).header("Idempotency-Key", key).delete("/sessions/" + id);
    }

    private static String etag(String id) {
        return as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200).extract().header("ETag");
    }

    private static int version(String id) {
        return as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200).extract().path("version");
    }

    @Test
    void aReplayedPutGetsItsFirstAnswerNotA412() {
        String id = newSession(ALICE, "Board", Map.of("notes", List.of()));
        String etag = etag(id);
        String key = UUID.randomUUID().toString();

        Response first = put(id, etag, key, Map.of("notes", List.of("a")));
        Response replay = put(id, etag, key, Map.of("notes", List.of("a")));

        first.then().statusCode(200).body("version", equalTo(2));
        replay.then().statusCode(200).header("ETag", equalTo(first.header("ETag")));
        assertEquals(first.asString(), replay.asString());
        assertEquals(2, version(id), "the replay wrote nothing");
        // Without the key, the same request is the stale write it is.
        as(ALICE).contentType(ContentType.JSON).header("If-Match", etag)
                .body(Map.of("title", "Board", "content", Map.of("notes", List.of("a")))).put("/sessions/" + id)
                .then().statusCode(412);
    }

    @Test
    void aPutKeyReusedForAnotherBodyOrTagIs422() {
        String id = newSession(ALICE, "Board", 1);
        String etag = etag(id);
        String key = UUID.randomUUID().toString();
        put(id, etag, key, 2).then().statusCode(200);

        put(id, etag, key, 3).then().statusCode(422).contentType("application/problem+json")
                .body("detail", containsString("different request"));
        put(id, etag(id), key, 2).then().statusCode(422);
        assertEquals(2, version(id));
    }

    @Test
    void concurrentRetriesOfOnePutMakeOneVersion() {
        String id = newSession(ALICE, "Board", 0);
        String etag = etag(id);
        String key = UUID.randomUUID().toString();
        List<HttpResponse<String>> responses = Http.concurrently(10, i -> Http
                .request(base, "persistence/sessions/" + id, ALICE)
                .header("Content-Type", "application/json")
                .header("If-Match", etag)
                .header("Idempotency-Key", key)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"title\":\"Board\",\"content\":[1,2,3]}"))
                .build());

        Set<Integer> statuses = responses.stream().map(HttpResponse::statusCode).collect(Collectors.toSet());
        assertTrue(Set.of(200, 409).containsAll(statuses), () -> "statuses: " + statuses);
        assertTrue(statuses.contains(200));
        assertEquals(2, version(id), "one write, whatever the number of retries");
    }

    @Test
    void aSavesAnswerIsKeptInTheSessionItWroteAndAReplayFindsItThereAfterLaterSaves() {
        String id = newSession(ALICE, "Board", "v1");
        String etag = etag(id);
        String key = UUID.randomUUID().toString();
        Response first = put(id, etag, key, "v2");
        first.then().statusCode(200);
        // The answer travels in the write itself: there is no record of the key to lose.
        byte[] scoped = (ALICE + "\nPUT /sessions\n" + key).getBytes(StandardCharsets.UTF_8);
        assertEquals(0L, idempotency.mongoCollection().countDocuments(Filters.eq("_id", CanonicalJson.sha256Hex(scoped, scoped.length)))
                .await().atMost(Duration.ofSeconds(5)));
        String later = put(id, first.header("ETag"), UUID.randomUUID().toString(), "v3").then().statusCode(200)
                .extract().header("ETag");

        Response replay = put(id, etag, key, "v2");
        replay.then().statusCode(200).header("ETag", equalTo(first.header("ETag"))).body("version", equalTo(2));
        assertEquals(first.asString(), replay.asString(), "the first answer, though the session is at version 3 now");
        assertEquals(later, etag(id));
        assertEquals(3, version(id));
    }

    @Test
    void aReplayedPatchGetsItsFirstAnswer() {
        String id = newSession(ALICE, "Board", Map.of("zoom", 1));
        String etag = etag(id);
        String key = UUID.randomUUID().toString();

        Response first = patch(id, etag, key, "{\"content\":{\"zoom\":2}}");
        first.then().statusCode(200).body("version", equalTo(2));
        Response replay = patch(id, etag, key, "{\"content\":{\"zoom\":2}}");

        replay.then().statusCode(200).header("ETag", equalTo(first.header("ETag")));
        assertEquals(first.asString(), replay.asString());
        patch(id, etag, key, "{\"content\":{\"zoom\":3}}").then().statusCode(422);
        assertEquals(2, version(id));
        as(ALICE).get("/sessions/" + id).then().body("content.zoom", equalTo(2));
    }

    @Test
    void aReplayedDeleteGets204NotA404() {
        String id = newSession(ALICE, "Board", 1);
        String etag = etag(id);
        String key = UUID.randomUUID().toString();

        delete(id, etag, key).then().statusCode(204);
        delete(id, etag, key).then().statusCode(204);
        delete(id, "\"9-other\"", key).then().statusCode(422);
        as(ALICE).get("/sessions/" + id).then().statusCode(404);
        // Without the key the session is simply gone.
        as(ALICE).header("If-Match", etag).delete("/sessions/" + id).then().statusCode(404);
    }

    @Test
    void aStaleWriteUnderAKeyIsStill412AndDoesNotUseUpTheKey() {
        String id = newSession(ALICE, "Board", 1);
        String stale = etag(id);
        as(ALICE).contentType(ContentType.JSON).header("If-Match", stale)
                .body(Map.of("title", "Board", "content", 2)).put("/sessions/" + id).then().statusCode(200);
        String key = UUID.randomUUID().toString();

        put(id, stale, key, 3).then().statusCode(412).body("version", equalTo(2));
        put(id, stale, key, 3).then().statusCode(412);
        assertEquals(2, version(id));
    }
}
