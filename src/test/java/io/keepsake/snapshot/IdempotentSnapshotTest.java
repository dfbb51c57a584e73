package io.keepsake.snapshot;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import jakarta.inject.Inject;

import org.bson.Document;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.keepsake.quota.Quotas;
import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * A snapshot of a session made under an {@code Idempotency-Key} is keyed by the request as sent
 * (session id, title, description), not by the session's state: a replay after the session was
 * saved again gets the first answer, and no second snapshot is made or counted.
 */
@QuarkusTest
class IdempotentSnapshotTest {

    private static Response snapshotOf(String session, String title, String key) {
        return as(ALICE).contentType(ContentType.JSON).header("Idempotency-Key", key)
                .body(Map.of("sessionId", session, "title", title)).post("/snapshots");
    }

    private static void autosave(String session, Object content) {
        String etag = as(ALICE).get("/sessions/metadata/" + session).then().statusCode(200).extract().header("ETag");
        as(ALICE).contentType(ContentType.JSON).header("If-Match", etag)
                .body(Map.of("title", "Working copy", "content", content)).put("/sessions/" + session)
                .then().statusCode(200);
    }

    @Inject
    Quotas quotas;

    /** The user's snapshot count as their quota holds it, once what this instance counted is stored. */
    private long snapshotsCounted(String user) {
        await().atMost(Duration.ofSeconds(10)).until(() -> !quotas.unsaved(user));
        Document usage = EmbeddedStoreResource.database().getCollection("usage").find(Filters.eq("_id", user)).first();
        return ((Number) usage.get("snapshots")).longValue();
    }

    @Test
    void aReplayAfterTheSessionWasSavedAgainGetsTheFirstAnswer() {
        String session = newSession(ALICE, "Working copy", Map.of("step", 1));
        String title = "Frozen " + UUID.randomUUID();
        String key = UUID.randomUUID().toString();

        Response first = snapshotOf(session, title, key);
        first.then().statusCode(201).body("sourceSessionId", equalTo(session));
        String id = first.path("id");
        long counted = snapshotsCounted(ALICE);

        autosave(session, Map.of("step", 2));

        Response replay = snapshotOf(session, title, key);
        replay.then().statusCode(201).header("Location", equalTo(first.header("Location")));
        assertEquals(first.asString(), replay.asString(), "the first answer, as it was");
        assertEquals(List.of(id), as(ALICE).queryParam("filter_title", title).get("/snapshots").path("items.id"));
        as(ALICE).get("/snapshots/" + id).then().statusCode(200).body("content.step", equalTo(1));
        assertEquals(counted, snapshotsCounted(ALICE), "the replay reserved nothing");
    }

    @Test
    void theSameKeyWithAnotherTitleIsRefused() {
        String session = newSession(ALICE, "Working copy", Map.of("step", 1));
        String title = "Frozen " + UUID.randomUUID();
        String key = UUID.randomUUID().toString();

        snapshotOf(session, title, key).then().statusCode(201);
        autosave(session, Map.of("step", 2));

        snapshotOf(session, title + " again", key).then().statusCode(422)
                .body("detail", equalTo("This Idempotency-Key was already used for a different request"));
        as(ALICE).contentType(ContentType.JSON).header("Idempotency-Key", key).body(Map.of("sessionId", session))
                .post("/snapshots").then().statusCode(422);
        assertEquals(List.of(title), as(ALICE).queryParam("filter_title", title).get("/snapshots").path("items.title"));
    }
}
