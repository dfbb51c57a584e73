package io.keepsake.session;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.noticeCursor;
import static io.keepsake.testing.Api.noticesAfter;
import static io.keepsake.testing.Api.workbenchAs;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.keepsake.store.Time;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/** A session may carry an idle lifetime: unchanged for that long, it is deleted and its tabs are told. */
@QuarkusTest
class IdleLifetimeTest {

    private static final String USER = "dave";

    @Inject
    IdleSessions idle;

    @AfterEach
    void resetClock() {
        Time.reset();
    }

    private static Response create(String lifetime) {
        String body = "{\"title\":\"dashboard\",\"content\":{\"zoom\":1}" + (lifetime == null ? "" : ",\"idleLifetime\":" + lifetime) + "}";
        return as(USER).contentType(ContentType.JSON).body(body).post("/sessions");
    }

    private static void sweep(IdleSessions idle) {
        idle.sweep().await().atMost(Duration.ofSeconds(30));
    }

    @Test
    void theLifetimeIsShownWithItsEndAndValidated() {
        Response created = create("\"PT24H\"");
        created.then().statusCode(201).body("idleLifetime", equalTo("PT24H"));
        Instant updated = Instant.parse(created.path("updatedAt"));
        assertEquals(updated.plus(Duration.ofHours(24)), Instant.parse(created.path("expiresAt")));
        String id = created.path("id");
        as(USER).get("/sessions/" + id).then().body("idleLifetime", equalTo("PT24H"))
                .body("expiresAt", equalTo(created.path("expiresAt")));

        for (String bad : List.of("\"tomorrow\"", "\"-PT1H\"", "\"PT0S\"", "5", "\"P20000D\"")) {
            create(bad).then().statusCode(400).contentType("application/problem+json")
                    .body("detail", org.hamcrest.Matchers.containsString("idleLifetime"));
        }
        create(null).then().statusCode(201).body("idleLifetime", nullValue()).body("expiresAt", nullValue());
    }

    @Test
    void putSetsOrRemovesItPatchKeepsItUnlessNamed() {
        Response created = create("\"P1D\"");
        String id = created.path("id");
        // A merge patch that does not name it keeps it.
        String tag = as(USER).contentType("application/merge-patch+json").header("If-Match", created.header("ETag"))
                .body(Map.of("title", "renamed")).patch("/sessions/" + id).then().statusCode(200)
                .body("idleLifetime", equalTo("PT24H")).extract().header("ETag");
        // Named alone, it is a change of its own.
        Response patched = as(USER).contentType("application/merge-patch+json").header("If-Match", tag)
                .body("{\"idleLifetime\":\"PT1H\"}").patch("/sessions/" + id);
        patched.then().statusCode(200).body("idleLifetime", equalTo("PT1H")).body("version", equalTo(3));
        tag = as(USER).contentType("application/merge-patch+json").header("If-Match", patched.header("ETag"))
                .body("{\"idleLifetime\":null}").patch("/sessions/" + id).then().statusCode(200)
                .body("idleLifetime", nullValue()).extract().header("ETag");
        // A PUT is the whole representation: with it, set; without, none.
        tag = as(USER).contentType(ContentType.JSON).header("If-Match", tag)
                .body("{\"title\":\"t\",\"content\":1,\"idleLifetime\":\"PT2H\"}").put("/sessions/" + id).then()
                .statusCode(200).body("idleLifetime", equalTo("PT2H")).extract().header("ETag");
        as(USER).contentType(ContentType.JSON).header("If-Match", tag).body("{\"title\":\"t\",\"content\":1}")
                .put("/sessions/" + id).then().statusCode(200).body("idleLifetime", nullValue());
    }

    @Test
    void anUnchangedSessionIsDeletedAtItsEndAndItsTabsAreTold() {
        Response created = create("\"PT24H\"");
        String id = created.path("id");
        Response kept = create("\"PT24H\"");
        String keptId = kept.path("id");
        String forever = create(null).path("id");

        Time.advance(Duration.ofHours(23));
        // Changed within its lifetime: its end moves.
        as(USER).contentType(ContentType.JSON).header("If-Match", kept.header("ETag"))
                .body("{\"title\":\"dashboard\",\"content\":{\"zoom\":2},\"idleLifetime\":\"PT24H\"}").put("/sessions/" + keptId)
                .then().statusCode(200);
        sweep(idle);
        as(USER).get("/sessions/" + id).then().statusCode(200);

        String cursor = noticeCursor(USER);
        Time.advance(Duration.ofHours(2));
        sweep(idle);
        as(USER).get("/sessions/" + id).then().statusCode(404);
        as(USER).get("/sessions/" + keptId).then().statusCode(200);
        as(USER).get("/sessions/" + forever).then().statusCode(200);
        as(USER).queryParam("page_size", 100).get("/sessions").then().body("items.id", not(hasItem(id)));
        List<Map<String, Object>> notices = noticesAfter(USER, cursor, 1);
        assertTrue(notices.stream().anyMatch(n -> "session.expired".equals(n.get("type")) && id.equals(n.get("resourceId"))),
                notices.toString());

        Time.advance(Duration.ofHours(23));
        sweep(idle);
        as(USER).get("/sessions/" + keptId).then().statusCode(404);
        as(USER).get("/sessions/" + forever).then().statusCode(200);
    }

    @Test
    void aSaveThatDoesNotNameTheLifetimeKeepsItAndMovesTheEnd() {
        Response created = create("\"PT1H\"");
        String id = created.path("id");
        Time.advance(Duration.ofMinutes(50));
        // The original workbench's save knows nothing of lifetimes: it keeps the session's, and changes it.
        workbenchAs(USER).contentType(ContentType.JSON).body(Map.of("title", "from the workbench", "description", "",
                "content", "{\"zoom\":3}")).put("/sessions/" + id).then().statusCode(200);
        Response read = as(USER).get("/sessions/metadata/" + id);
        read.then().statusCode(200).body("idleLifetime", equalTo("PT1H"));
        assertEquals(Instant.parse(read.path("updatedAt")).plus(Duration.ofHours(1)), Instant.parse(read.path("expiresAt")));

        Time.advance(Duration.ofMinutes(20));
        sweep(idle);
        as(USER).get("/sessions/" + id).then().statusCode(200);
        Time.advance(Duration.ofMinutes(45));
        sweep(idle);
        as(USER).get("/sessions/" + id).then().statusCode(404);
    }
}
