package io.keepsake.webviz;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.TextNode;

import io.keepsake.hashing.CanonicalJson;
import io.keepsake.testing.SignedInBrowser;
import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * The original workbench's session calls, replayed as its front end makes them (through its
 * proxy, with only its session cookie; null descriptions, content as a JSON-encoded string,
 * {@code cursor=}, its sort names), against the compatible surface: the statuses and shapes it
 * reads, and each change as the native API and the notices show it.
 */
@QuarkusTest
class WorkbenchSessionContractTest {

    private static final String USER = "erin";
    private static final Set<String> METADATA = Set.of("id", "ownerId", "title", "description", "createdAt", "updatedAt",
            "version", "contentHash");

    private static final ObjectMapper JSON = new ObjectMapper();
    private static SignedInBrowser browser;

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void signIn() {
        if (browser == null) {
            browser = SignedInBrowser.signIn(USER, "http://localhost:3000");
        }
    }

    /** What the workbench's hash of a content string is: SHA-256 of its UTF-8 bytes. */
    static String sha256(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return CanonicalJson.sha256Hex(bytes, bytes.length);
    }

    /** The workbench's JSON body of a create or save, with a null description when none is given. */
    static String body(String title, String description, String content) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("title", title);
        fields.put("description", description);
        if (content != null) {
            fields.put("content", content);
        }
        try {
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    static String create(String title, String description, String content) {
        Response created = browser.write().body(body(title, description, content)).post("/sessions");
        created.then().statusCode(200).contentType(containsString("application/json"));
        String raw = created.asString();
        assertTrue(raw.matches("\"[A-Za-z0-9_-]{12}\""), () -> "the id as a bare JSON string: " + raw);
        return raw.substring(1, raw.length() - 1);
    }

    @Test
    void createOpenPollSaveRenameDeleteAsTheWorkbenchDoes() {
        String title = "Field review " + UUID.randomUUID().toString().substring(0, 8);
        String content = "{\"modules\":[{\"id\":\"m1\",\"name\":\"2DViewer\",\"zoom\":1.5}],\"layout\":\"grid\"}";
        String from = noticeCursor(USER);

        // create: 200 and the id as a JSON string
        String id = create(title, null, content);

        // open: {metadata, content}, the hash of the content string's UTF-8 bytes
        Response opened = browser.get().get("/sessions/" + id);
        opened.then().statusCode(200)
                .body("keySet()", equalTo(Set.of("metadata", "content")))
                .body("metadata.keySet()", equalTo(METADATA))
                .body("metadata.id", equalTo(id))
                .body("metadata.ownerId", equalTo(USER))
                .body("metadata.title", equalTo(title))
                .body("metadata.description", equalTo(""))
                .body("metadata.version", equalTo(1))
                .body("metadata.contentHash", equalTo(sha256(content)))
                .body("content", equalTo(content));
        String createdAt = opened.path("metadata.createdAt");
        assertEquals(createdAt, opened.path("metadata.updatedAt"));
        Instant.parse(createdAt);

        // poll: flat metadata, compared by updatedAt
        Response polled = browser.get().get("/sessions/metadata/" + id);
        polled.then().statusCode(200).body("keySet()", equalTo(METADATA)).body("updatedAt", equalTo(createdAt))
                .body("contentHash", equalTo(sha256(content)));

        // save: no If-Match, 200
        String saved = content.replace("1.5", "2.25");
        browser.write().body(body(title, null, saved)).put("/sessions/" + id).then().statusCode(200)
                .body("metadata.version", equalTo(2)).body("content", equalTo(saved));
        Response afterSave = browser.get().get("/sessions/metadata/" + id);
        afterSave.then().body("version", equalTo(2)).body("contentHash", equalTo(sha256(saved)));
        assertNotEquals(createdAt, afterSave.path("updatedAt"), "the poll sees the change");

        // rename: {title, description} only; 200 and the full session, content untouched
        browser.write().body(body("Renamed " + title, "Q4 numbers", null)).put("/sessions/" + id).then().statusCode(200)
                .body("keySet()", equalTo(Set.of("metadata", "content")))
                .body("metadata.keySet()", equalTo(METADATA))
                .body("metadata.title", equalTo("Renamed " + title))
                .body("metadata.description", equalTo("Q4 numbers"))
                .body("metadata.version", equalTo(3))
                .body("metadata.contentHash", equalTo(sha256(saved)))
                .body("content", equalTo(saved));

        // the same session through the native API: its content is the string, its hash the canonical one
        Response nativeRead = as(USER).get("/sessions/" + id);
        nativeRead.then().statusCode(200).body("content", equalTo(saved)).body("version", equalTo(3))
                .body("title", equalTo("Renamed " + title)).body("description", equalTo("Q4 numbers"))
                .body("contentHash", equalTo(CanonicalJson.of(TextNode.valueOf(saved)).sha256()));

        // delete: 2xx, then gone for both surfaces
        browser.write().delete("/sessions/" + id).then().statusCode(200);
        browser.get().get("/sessions/" + id).then().statusCode(404)
                .body("keySet()", equalTo(Set.of("error")))
                .body("error.keySet()", equalTo(Set.of("type", "message", "service")))
                .body("error.type", equalTo("NoDataError"))
                .body("error.message", equalTo("Session not found"))
                .body("error.service", equalTo("database"));
        as(USER).get("/sessions/" + id).then().statusCode(404);

        // every change was a notice for the owner: create, save, rename, delete
        List<Map<String, Object>> notices = noticesAfter(USER, from, 4).stream()
                .filter(n -> id.equals(n.get("resourceId"))).toList();
        assertEquals(List.of("session.updated", "session.updated", "session.updated", "session.deleted"),
                notices.stream().map(n -> n.get("type")).toList(), notices.toString());
        assertEquals(List.of(1, 2, 3), notices.subList(0, 3).stream().map(n -> n.get("version")).toList(),
                "a save without If-Match still numbers its notice");
        assertEquals(nativeRead.path("contentHash"), notices.get(2).get("hash"));
    }

    @Test
    void aSaveWithoutIfMatchIsOneAtomicWriteSoConcurrentSavesAllCount() {
        String id = create("racing saves " + UUID.randomUUID(), null, "\"0\"");
        List<HttpResponse<String>> saves = Http.concurrently(12, i -> HttpRequest.newBuilder(base.resolve(
                SignedInBrowser.WORKBENCH.substring(1) + "/sessions/" + id))
                .header("Cookie", "quarkus-credential=" + browser.cookie()).header("Sec-Fetch-Site", "same-origin")
                .header("Content-Type", "application/json")
                .PUT(HttpRequest.BodyPublishers.ofString(body("racing saves", null, "{\"n\":" + i + "}"))).build());
        assertEquals(List.of(200), saves.stream().map(HttpResponse::statusCode).distinct().toList());
        Response current = browser.get().get("/sessions/" + id);
        current.then().body("metadata.version", equalTo(13));
        assertEquals(sha256(current.path("content")), current.path("metadata.contentHash"), "the last write won whole");
    }

    @Test
    void aSaveWithIfMatchIsConditional() {
        String id = create("conditional " + UUID.randomUUID(), "d", "\"a\"");
        String etag = as(USER).get("/sessions/metadata/" + id).header("ETag");
        browser.write().header("If-Match", etag).body(body("conditional", "d", "\"b\"")).put("/sessions/" + id)
                .then().statusCode(200).body("metadata.version", equalTo(2));
        browser.write().header("If-Match", etag).body(body("conditional", "d", "\"c\"")).put("/sessions/" + id)
                .then().statusCode(412).body("error.type", equalTo("ServiceRequestError"))
                .body("error.message", containsString("changed since"));
        browser.get().get("/sessions/" + id).then().body("content", equalTo("\"b\""));
    }

    @Test
    void aSaveOfWhatIsStoredChangesNothing() {
        String id = create("idle save " + UUID.randomUUID(), null, "{}");
        browser.write().body(body("idle save", null, "{}")).put("/sessions/" + id).then().statusCode(200)
                .body("metadata.version", equalTo(2));
        browser.write().body(body("idle save", null, "{}")).put("/sessions/" + id).then().statusCode(200)
                .body("metadata.version", equalTo(2));
    }

    @Test
    void listsSortFilterAndPageWithTheWorkbenchsParameters() throws InterruptedException {
        String tag = "listed-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (String name : List.of("b", "c", "a")) {
            ids.add(create(tag + " " + name, null, "\"" + name + "\""));
            Thread.sleep(5); // distinct update times
        }
        Response recent = browser.get().queryParam("sort_by", "metadata.updated_at").queryParam("sort_direction", "desc")
                .queryParam("page_size", 5).queryParam("filter_title", tag).queryParam("cursor", "").get("/sessions");
        recent.then().statusCode(200).body("keySet()", equalTo(Set.of("items", "pageToken")))
                .body("pageToken", nullValue())
                .body("items[0].keySet()", equalTo(METADATA));
        assertEquals(List.of(ids.get(2), ids.get(1), ids.get(0)), recent.path("items.id"));

        assertEquals(List.of(tag + " a", tag + " b", tag + " c"), browser.get().queryParam("sort_by", "metadata.title")
                .queryParam("sort_direction", "asc").queryParam("page_size", 30).queryParam("filter_title", tag.toUpperCase())
                .queryParam("cursor", "").get("/sessions").path("items.title"));

        Response first = browser.get().queryParam("sort_by", "metadata.created_at").queryParam("sort_direction", "asc")
                .queryParam("page_size", 2).queryParam("filter_title", tag).queryParam("cursor", "").get("/sessions");
        String token = first.path("pageToken");
        assertNotNull(token);
        Response second = browser.get().queryParam("sort_by", "metadata.created_at").queryParam("sort_direction", "asc")
                .queryParam("page_size", 2).queryParam("filter_title", tag).queryParam("cursor", token).get("/sessions");
        List<String> paged = new ArrayList<>(first.path("items.id"));
        paged.addAll(second.path("items.id"));
        assertEquals(ids, paged);

        String updated = browser.get().get("/sessions/metadata/" + ids.get(1)).path("updatedAt");
        assertEquals(List.of(ids.get(1)), browser.get().queryParam("page_size", 5).queryParam("filter_title", tag)
                .queryParam("filter_updated_from", updated).queryParam("filter_updated_to", updated)
                .queryParam("cursor", "").get("/sessions").path("items.id"));
        browser.get().queryParam("sort_by", "updated_at").get("/sessions").then().statusCode(400)
                .body("error.type", equalTo("RequestValidationError"))
                .body("error.message", containsString("metadata.updated_at"));
    }

    @Test
    void aContentStringOfOnePointFiveMebibytesIsAcceptedMeasuredAsItsText() {
        // Workbench state is JSON: its quotes make the escaped form a fifth larger than the text.
        StringBuilder text = new StringBuilder("[");
        while (text.length() < 1_572_864 - 40) {
            text.append("{\"module\":\"2DViewer\",\"zoom\":1.5},");
        }
        text.setLength(text.length() - 1);
        text.append(']');
        String content = text + " ".repeat(1_572_864 - text.length());
        String id = create("big " + UUID.randomUUID(), null, content);
        browser.get().get("/sessions/metadata/" + id).then().body("contentHash", equalTo(sha256(content)));
        browser.write().body(body("big", null, content + "x")).put("/sessions/" + id).then().statusCode(413)
                .body("error.type", equalTo("ServiceRequestError"))
                .body("error.message", equalTo("Content size (1.50 MB) exceeds maximum (1.50 MB)"));
    }

    @Test
    void errorsComeInTheWorkbenchsShape() {
        browser.write().body(body("t".repeat(51), null, "\"x\"")).post("/sessions").then().statusCode(400)
                .body("error.type", equalTo("RequestValidationError"))
                .body("error.message", containsString("title must be 1 to 50 characters"))
                .body("error.service", equalTo("database"));
        browser.write().body("{\"title\":\"object content\",\"description\":null,\"content\":{\"a\":1}}").post("/sessions")
                .then().statusCode(400).body("error.message", containsString("content must be a string"));
        browser.get().get("/sessions/metadata/" + "x".repeat(12)).then().statusCode(404).body("error.type", equalTo("NoDataError"));
        io.restassured.RestAssured.given().basePath(SignedInBrowser.WORKBENCH).header("Sec-Fetch-Mode", "cors").get("/sessions")
                .then().statusCode(401).body("error.type", equalTo("AuthorizationError"))
                .header("WWW-Authenticate", matchesPattern("^Session.*"));
    }

    @Test
    void anotherUsersSessionIsNotFound() {
        String id = create("private " + UUID.randomUUID(), null, "\"mine\"");
        SignedInBrowser other = SignedInBrowser.signIn("dave", "http://localhost:3000");
        other.get().get("/sessions/" + id).then().statusCode(404).body("error.type", equalTo("NoDataError"));
        other.get().get("/sessions/metadata/" + id).then().statusCode(404);
        other.write().body(body("taken", null, "\"theirs\"")).put("/sessions/" + id).then().statusCode(404);
        other.write().body(body("renamed", null, null)).put("/sessions/" + id).then().statusCode(404);
        other.write().delete("/sessions/" + id).then().statusCode(404);
        browser.get().get("/sessions/" + id).then().statusCode(200).body("content", equalTo("\"mine\""))
                .body("metadata.version", equalTo(1));
    }

    @Test
    void theOriginalsEightCharacterIdsAreIdsOnBothSurfaces() {
        browser.get().get("/sessions/abcd_-12").then().statusCode(404);
        as(USER).get("/sessions/abcd_-12").then().statusCode(404);
        browser.get().get("/sessions/abcd_-1").then().statusCode(400);
    }
}
