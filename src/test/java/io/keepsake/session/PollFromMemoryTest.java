package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * An unchanged poll is answered 304 from memory, without a store command; a write through this
 * instance replaces the remembered tag before it is answered, so the next poll sees it.
 */
@QuarkusTest
class PollFromMemoryTest {

    @Inject
    MeterRegistry registry;

    /** Store commands of one kind on the sessions issued so far (the driver's command metrics). */
    private long commands(String name) {
        return registry.find("mongodb.driver.commands").tag("command", name).tag("collection", "sessions").timers()
                .stream().mapToLong(Timer::count).sum();
    }

    @Test
    void unchangedPollsAreAnsweredWithoutTheStoreAndAWriteIsSeenAtOnce() {
        Response created = createSession(ALICE, "polled", Map.of("v", 1));
        String id = created.path("id");
        String v1 = created.header("ETag");
        long before = commands("find");
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200);
        long finds = commands("find");
        assertEquals(before + 1, finds, "a read without a tag goes to the store (and the count sees it)");

        for (int i = 0; i < 50; i++) {
            as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).then().statusCode(304).header("ETag", v1);
        }
        assertEquals(finds, commands("find"), "fifty unchanged polls read nothing from the store");

        Response updated = as(ALICE).contentType(ContentType.JSON).header("If-Match", v1)
                .body(Map.of("title", "polled", "content", Map.of("v", 2))).put("/sessions/" + id);
        updated.then().statusCode(200);
        String v2 = updated.header("ETag");
        assertNotEquals(v1, v2);
        as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).then().statusCode(200).header("ETag", v2);
        as(ALICE).header("If-None-Match", v2).get("/sessions/" + id).then().statusCode(304).header("ETag", v2);

        as(ALICE).header("If-Match", v2).delete("/sessions/" + id).then().statusCode(204);
        as(ALICE).header("If-None-Match", v2).get("/sessions/metadata/" + id).then().statusCode(404);
    }

    @Test
    void anotherUserCannotLearnAnythingFromTheRememberedTags() {
        Response created = createSession(ALICE, "private tag", 1);
        String id = created.path("id");
        String tag = created.header("ETag");
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200);
        as("bob").header("If-None-Match", tag).get("/sessions/metadata/" + id).then().statusCode(404);
    }
}
