package io.keepsake.account;

import static io.keepsake.testing.Api.as;
import static io.restassured.RestAssured.given;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Api;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/**
 * A user downloads everything of theirs as NDJSON: their live sessions and snapshots with their
 * content, their visits, framed by an export line and an end line with the counts; nothing of
 * anyone else's, more sessions than one page of the store holds, and a deleted session left out.
 */
@QuarkusTest
class ExportTest {

    private static final String USER = "exporter";

    @Test
    void everythingOfTheCallersAndNothingElseLineByLine() {
        Set<String> sessions = new TreeSet<>();
        for (int i = 0; i < Exports.PAGE * 2 + 3; i++) {
            sessions.add(Api.newSession(USER, "export " + i, Map.of("n", i, "text", "zürich ✓")));
        }
        // One session changed twice: its two earlier states are its revisions.
        Response edited = Api.createSession(USER, "edited", Map.of("step", 1));
        String editedId = edited.path("id");
        String tag = edited.header("ETag");
        for (int step = 2; step <= 3; step++) {
            tag = as(USER).contentType(ContentType.JSON).header("If-Match", tag)
                    .body(Map.of("title", "edited", "content", Map.of("step", step))).put("/sessions/" + editedId)
                    .then().statusCode(200).extract().header("ETag");
        }
        sessions.add(editedId);
        String othersEdited = Api.newSession("bob", "bob's edited", Map.of("secret", "bob, before"));
        as("bob").contentType(ContentType.JSON).header("If-Match", as("bob").get("/sessions/" + othersEdited).header("ETag"))
                .body(Map.of("title", "bob's edited", "content", Map.of("secret", "bob"))).put("/sessions/" + othersEdited)
                .then().statusCode(200);
        String gone = Api.newSession(USER, "deleted before the export", Map.of("n", -1));
        as(USER).delete("/sessions/" + gone).then().statusCode(204);
        String snapshot = Api.newSnapshot(USER, "mine, frozen", Map.of("frozen", true));
        String othersSession = Api.newSession("bob", "bob's", Map.of("secret", "bob"));
        String othersSnapshot = Api.newSnapshot("bob", "bob's shared", Map.of("shared", "by bob"));
        as(USER).get("/snapshots/" + othersSnapshot).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> as(USER).get("/snapshot_access_logs").then().statusCode(200)
                .extract().<List<String>>path("items.snapshotId").contains(othersSnapshot));

        Response export = as(USER).get("/me/export");
        export.then().statusCode(200).contentType(containsString("application/x-ndjson"))
                .header("Content-Disposition", containsString("attachment"));
        List<JsonPath> lines = new ArrayList<>();
        for (String line : export.asString().split("\n")) {
            if (!line.isBlank()) {
                lines.add(JsonPath.from(line));
            }
        }
        assertEquals("export", lines.get(0).getString("type"));
        assertEquals(USER, lines.get(0).getString("data.user"));
        assertEquals(1, lines.get(0).getInt("data.format"));
        JsonPath end = lines.get(lines.size() - 1);
        assertEquals("end", end.getString("type"));

        Set<String> exportedSessions = new TreeSet<>();
        List<String> snapshots = new ArrayList<>();
        List<String> revisions = new ArrayList<>();
        List<String> visits = new ArrayList<>();
        for (JsonPath line : lines.subList(1, lines.size() - 1)) {
            switch (line.getString("type")) {
                case "session" -> {
                    assertEquals(USER, line.getString("data.ownerId"));
                    if (!line.getString("data.id").equals(editedId)) {
                        assertEquals("zürich ✓", line.getString("data.content.text"), "content included, as stored");
                    } else {
                        assertEquals(3, line.getInt("data.content.step"), "the session as it is now");
                    }
                    exportedSessions.add(line.getString("data.id"));
                }
                case "revision" -> {
                    assertEquals(editedId, line.getString("data.sessionId"));
                    assertEquals(line.getInt("data.version"), line.getInt("data.content.step"), "the state as it was then");
                    revisions.add(line.getString("data.sessionId") + "@" + line.getInt("data.version"));
                }
                case "snapshot" -> {
                    assertEquals(USER, line.getString("data.ownerId"));
                    assertEquals(true, line.getBoolean("data.content.frozen"));
                    snapshots.add(line.getString("data.id"));
                }
                case "visit" -> visits.add(line.getString("data.snapshotId"));
                default -> throw new AssertionError("unexpected line " + line.prettify());
            }
        }
        assertTrue(exportedSessions.containsAll(sessions), "every session, over several pages");
        assertTrue(!exportedSessions.contains(gone) && !exportedSessions.contains(othersSession), "no deleted or other user's session");
        assertTrue(snapshots.contains(snapshot) && !snapshots.contains(othersSnapshot), snapshots.toString());
        assertTrue(visits.contains(othersSnapshot), "the caller's visits: " + visits);
        assertEquals(exportedSessions.size(), end.getInt("data.sessions"));
        assertEquals(snapshots.size(), end.getInt("data.snapshots"));
        assertEquals(List.of(editedId + "@1", editedId + "@2"), revisions, "the caller's revisions, and no one else's");
        assertEquals(2, end.getInt("data.revisions"));
        assertEquals(visits.size(), end.getInt("data.visits"));
        assertTrue(!export.asString().contains("\"secret\""), "nothing of bob's content");
    }

    @Test
    void notSignedInIs401() {
        given().get("/persistence/me/export").then().statusCode(401).contentType("application/problem+json");
    }
}
