package io.keepsake.notice;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static io.keepsake.testing.Api.noticesAfter;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** The polling side of notices: the same notices as the WebSocket, after a cursor, long-polled. */
@QuarkusTest
class NoticePollingTest {

    @TestHTTPResource("/")
    URI base;

    private static String cursor(String user) {
        return as(user).get("/notices").then().statusCode(200).extract().path("cursor");
    }

    @Test
    void aWriteIsNoticedWithItsNewHashAndItsWritersClientId() {
        String from = cursor(ALICE);
        Response created = createSession(ALICE, "noticed", Map.of("v", 1));
        Response updated = as(ALICE).contentType(ContentType.JSON).header("If-Match", created.header("ETag"))
                .header("Keepsake-Client-Id", "tab-1").body(Map.of("title", "noticed", "content", Map.of("v", 2)))
                .put("/sessions/" + created.path("id"));

        List<Map<String, Object>> items = noticesAfter(ALICE, from, 2);
        assertEquals(2, items.size(), "the create and the update: " + items);
        Map<String, Object> last = items.get(1);
        assertEquals("session.updated", last.get("type"));
        assertEquals(created.path("id"), last.get("resourceId"));
        assertEquals(updated.path("contentHash"), last.get("hash"));
        assertEquals(2, last.get("version"));
        assertEquals("tab-1", last.get("origin"));

        Response page = as(ALICE).queryParam("after", from).get("/notices");
        page.then().statusCode(200).body("resync", equalTo(false));
        assertEquals(last.get("id"), page.path("cursor"));
        as(ALICE).queryParam("after", (String) page.path("cursor")).get("/notices").then().body("items.size()", equalTo(0));
    }

    @Test
    void aStaleWriteNoticesAConflictAndADeleteADeletion() {
        Response created = createSession(ALICE, "contested", 1);
        String id = created.path("id");
        String etag = created.header("ETag");
        String from = cursor(ALICE);
        as(ALICE).contentType(ContentType.JSON).header("If-Match", etag).body(Map.of("title", "contested", "content", 2))
                .put("/sessions/" + id).then().statusCode(200);
        as(ALICE).contentType(ContentType.JSON).header("If-Match", etag).header("Keepsake-Client-Id", "tab-2")
                .body(Map.of("title", "contested", "content", 3)).put("/sessions/" + id).then().statusCode(412);
        as(ALICE).header("If-Match", etag).header("Keepsake-Client-Id", "tab-3").delete("/sessions/" + id)
                .then().statusCode(412);
        as(ALICE).delete("/sessions/" + id).then().statusCode(204);

        List<Map<String, Object>> items = noticesAfter(ALICE, from, 4);
        assertEquals(List.of("session.updated", "session.conflict", "session.conflict", "session.deleted"),
                items.stream().map(item -> item.get("type")).toList(), "a stale PUT and a stale DELETE are conflicts");
        assertEquals("tab-2", items.get(1).get("origin"));
        assertEquals(2, items.get(1).get("version"));
        assertEquals("tab-3", items.get(2).get("origin"));
    }

    @Test
    void aLongPollReturnsAsSoonAsAWriteLandsAndOthersHearNothing() throws Exception {
        String from = cursor(ALICE);
        String bobs = cursor(BOB);
        CompletableFuture<HttpResponse<String>> alicePoll = HttpClient.newHttpClient().sendAsync(
                Http.request(base, "persistence/notices?wait=20&after=" + from, ALICE).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        CompletableFuture<HttpResponse<String>> bobPoll = HttpClient.newHttpClient().sendAsync(
                Http.request(base, "persistence/notices?wait=2&after=" + bobs, BOB).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        long started = System.nanoTime();
        String id = createSession(ALICE, "long-polled", 1).path("id");

        HttpResponse<String> answer = alicePoll.get();
        Duration took = Duration.ofNanos(System.nanoTime() - started);
        assertEquals(200, answer.statusCode());
        assertEquals(id, JsonPath.from(answer.body()).getString("items[0].resourceId"));
        assertTrue(took.compareTo(Duration.ofSeconds(10)) < 0, "answered with the write, not at the wait's end: " + took);
        assertEquals(0, JsonPath.from(bobPoll.get().body()).getList("items").size());
    }

    @Test
    void aLongPollWithNothingNewEndsEmptyAfterItsWait() {
        String from = cursor(BOB);
        long started = System.nanoTime();
        as(BOB).queryParam("after", from).queryParam("wait", "1").get("/notices").then().statusCode(200)
                .body("items.size()", equalTo(0)).body("cursor", equalTo(from));
        assertTrue(Duration.ofNanos(System.nanoTime() - started).toMillis() >= 1000);
    }

    @Test
    void badCursorsAndWaitsAre400() {
        as(ALICE).queryParam("after", "yesterday").get("/notices").then().statusCode(400).body("field", equalTo("after"));
        as(ALICE).queryParam("wait", "-1").get("/notices").then().statusCode(400).body("field", equalTo("wait"));
    }
}
