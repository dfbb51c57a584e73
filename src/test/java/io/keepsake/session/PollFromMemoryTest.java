package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.nullValue;

import java.time.Duration;
import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.keepsake.KeepsakeConfig;
import io.keepsake.testing.StoreCommands;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * An unchanged poll is answered 304, and a read of an unchanged session 200, from memory without
 * a store command; a write through this instance drops what was remembered before it is answered,
 * so the next poll and read see it.
 */
@QuarkusTest
class PollFromMemoryTest {

    @Inject
    StoreCommands commands;

    @Inject
    KeepsakeConfig config;

    @Inject
    SessionTags tags;

    @Inject
    io.keepsake.notice.NoticeFeed feed;

    /**
     * Reads of this one session from the store since {@link #record}: background work (a scan of
     * the sessions for left-behind outboxes) never names it, so it never moves this count.
     */
    private long reads(String id) {
        String named = "\"" + id + "\"";
        return commands.recorded().stream().filter(s -> s.collection().equals("sessions") && s.command().equals("find")
                && s.filter().toJson().contains(named)).count();
    }

    /**
     * Reads of the session since {@code finds} were counted: none, but the one check per
     * keepsake.reads.max-staleness that a slow machine may reach while the requests go on.
     */
    private void assertAtMostChecks(long finds, String id, long started, String what) {
        long checks = (System.nanoTime() - started) / config.reads().maxStaleness().toNanos() + feedBehind;
        long extra = reads(id) - finds;
        assertTrue(extra <= checks, what + ": " + extra + " store reads, " + checks + " checks allowed (staleness, and "
                + feedBehind + " looks that found the notice feed behind)");
    }

    /**
     * Counts the looks that find the notice feed more than keepsake.notices.tag-cache-max-lag
     * behind (a busy machine): a read then checks the store, as it must, since the feed cannot
     * vouch for what is held.
     */
    private void watchFeed() {
        if (!feed.readWithin(config.notices().tagCacheMaxLag())) {
            feedBehind++;
        }
    }

    private long feedBehind;

    private void record() {
        feedBehind = 0;
        commands.start();
    }

    @AfterEach
    void stopRecording() {
        commands.stop();
    }

    @Test
    void unchangedPollsAreAnsweredWithoutTheStoreAndAWriteIsSeenAtOnce() {
        Response created = createSession(ALICE, "polled", Map.of("v", 1));
        String id = created.path("id");
        String v1 = created.header("ETag");
        record();
        long before = reads(id);
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200);
        long finds = reads(id);
        assertEquals(before + 1, finds, "a read without a tag goes to the store (and the count sees it)");

        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            watchFeed();
            as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).then().statusCode(304).header("ETag", v1);
            watchFeed();
        }
        assertAtMostChecks(finds, id, started, "fifty unchanged polls read nothing from the store");

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
    void unchangedReadsAreAnsweredFromMemoryAndAWriteIsReadAtOnce() {
        Response created = createSession(ALICE, "read often", Map.of("v", 1, "text", "x".repeat(2000)));
        String id = created.path("id");
        String v1 = created.header("ETag");
        record();
        long before = reads(id);
        Response first = as(ALICE).get("/sessions/" + id);
        first.then().statusCode(200).header("ETag", v1).body("content.v", equalTo(1));
        long finds = reads(id);
        assertEquals(before + 1, finds);

        long started = System.nanoTime();
        for (int i = 0; i < 50; i++) {
            watchFeed();
            Response again = as(ALICE).get("/sessions/" + id);
            watchFeed();
            again.then().statusCode(200).header("ETag", v1).header("Cache-Control", "private, no-cache");
            assertEquals(first.asString(), again.asString(), "the same answer, byte for byte");
        }
        assertAtMostChecks(finds, id, started, "fifty reads of an unchanged session read nothing from the store");

        as(ALICE).contentType(ContentType.JSON).header("If-Match", v1)
                .body(Map.of("title", "read often", "content", Map.of("v", 2))).put("/sessions/" + id)
                .then().statusCode(200);
        as(ALICE).get("/sessions/" + id).then().statusCode(200).body("content.v", equalTo(2)).body("version", equalTo(2));
        as(ALICE).header("If-None-Match", v1).get("/sessions/" + id).then().statusCode(200).body("content.v", equalTo(2));
        as("bob").get("/sessions/" + id).then().statusCode(404);
    }

    @Test
    void aReadThatWasOnItsWayWhenTheSessionChangedIsNotRemembered() {
        Response created = createSession(ALICE, "raced", 1);
        String id = created.path("id");
        Session old = new Session();
        old.id = id;
        old.ownerId = "alice";
        old.etag = created.header("ETag");
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200);
        // Vouched for once alice's notices are heard here and the feed has read the store.
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
                assertEquals(old.etag, tags.current("alice", id), "a store read is remembered"));

        SessionTags.Stamp since = tags.stamp();
        tags.forget(id); // a notice of a change arrives while the read is on its way
        tags.remember(old, since, "{}".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        assertNull(tags.current("alice", id), "the older answer must not bring the old tag back");
        assertNull(tags.body("alice", id, old.etag));

        SessionTags.Stamp later = tags.stamp();
        tags.remember(old, later);
        assertEquals(old.etag, tags.current("alice", id), "a read begun after the change is remembered");
    }

    @Test
    void anotherUserCannotLearnAnythingFromTheRememberedTags() {
        Response created = readOnce("private tag");
        String id = created.path("id");
        String tag = created.header("ETag");
        as("bob").header("If-None-Match", tag).get("/sessions/metadata/" + id).then().statusCode(404);
    }

    @Test
    void anUnchangedPollFromMemoryStillNeedsTheRightPasswordAndAnswersAsTheStoreWould() {
        Response created = readOnce("guarded");
        String id = created.path("id");
        String tag = created.header("ETag");

        Response fromMemory = as(ALICE).header("If-None-Match", tag).get("/sessions/metadata/" + id);
        fromMemory.then().statusCode(304).header("ETag", tag);
        // "*" is never answered from memory: the store says whether the session exists.
        Response fromStore = as(ALICE).header("If-None-Match", "*").get("/sessions/metadata/" + id);
        fromStore.then().statusCode(304).header("ETag", tag);
        assertEquals(headers(fromStore), headers(fromMemory));

        given().auth().preemptive().basic(ALICE, "wrong").basePath("/persistence").header("If-None-Match", tag)
                .get("/sessions/metadata/" + id).then().statusCode(401).header("ETag", nullValue());
        given().basePath("/persistence").header("If-None-Match", tag)
                .get("/sessions/metadata/" + id).then().statusCode(401).header("ETag", nullValue());
        as(ALICE).header("If-None-Match", "\"broken").get("/sessions/metadata/" + id).then().statusCode(200);
    }

    /** A new session of alice's, read once (so that its tag is held); the create's answer. */
    private static Response readOnce(String title) {
        Response created = createSession(ALICE, title, 1);
        as(ALICE).get("/sessions/metadata/" + created.path("id")).then().statusCode(200);
        return created;
    }

    private static Map<String, String> headers(Response response) {
        Map<String, String> headers = new java.util.TreeMap<>();
        response.headers().asList().stream().filter(h -> !h.getName().equalsIgnoreCase("Date"))
                .forEach(h -> headers.put(h.getName().toLowerCase(java.util.Locale.ROOT), h.getValue()));
        return headers;
    }
}
