package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import io.keepsake.KeepsakeConfig;
import io.keepsake.testing.StoreCommands;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

/**
 * An instance never serves from memory a tag superseded more than {@code keepsake.reads.max-staleness}
 * ago, even when the replica that wrote the change died before publishing its notice: the test is
 * that replica, writing into the store what such a write leaves (the new state and its notice still
 * in the outbox, unpublished for minutes). Meanwhile an unchanged poll reads the store at most once
 * per bound: at a poll a second and the default 5 s, 0.2 store reads a poll.
 */
@QuarkusTest
class MaxStalenessTest {

    /** How long after the bound a client polling once a second may take to see the change. */
    private static final Duration MARGIN = Duration.ofSeconds(2);

    @Inject
    StoreCommands commands;

    @Inject
    KeepsakeConfig config;

    @AfterEach
    void stopRecording() {
        commands.stop();
    }

    @Test
    void aPollStopsGetting304WithinTheBoundOfAWriteWhoseNoticeWasNeverPublished() throws Exception {
        Duration bound = config.reads().maxStaleness();
        Response created = createSession(ALICE, "polled elsewhere", Map.of("v", 1));
        String id = created.path("id");
        String v1 = created.header("ETag");
        commands.start();
        long from = System.nanoTime();
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200).header("ETag", v1);

        AtomicInteger polls = new AtomicInteger();
        Duration watched = bound.multipliedBy(2);
        // A client polling once a second while nothing changes: every answer a 304.
        await().during(watched).atMost(watched.plus(MARGIN)).pollInterval(Duration.ofSeconds(1)).until(() -> {
            polls.incrementAndGet();
            return as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).statusCode() == 304;
        });
        Duration elapsed = Duration.ofNanos(System.nanoTime() - from);
        long checks = reads(id) - 1;
        assertTrue(checks >= 1, "a tag held longer than the bound is checked against the store");
        // At most one read per bound, whatever the pace: at a poll a second and 5 s, 0.2 a poll.
        assertTrue(checks <= elapsed.toNanos() / bound.toNanos(),
                checks + " store reads for " + polls + " polls in " + elapsed + ": at most one per " + bound);

        String v2 = AnotherReplica.saveAndDieBeforePublishing(id, "{\"v\":2}");
        await().atMost(bound.plus(MARGIN)).pollInterval(Duration.ofSeconds(1)).until(() ->
                v2.equals(as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).header("ETag")));
        as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).then().statusCode(200).header("ETag", v2);
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", v2).body("content.v", equalTo(2));
    }

    @Test
    void aReadStopsGettingTheOldBodyWithinTheBoundOfAWriteWhoseNoticeWasNeverPublished() throws Exception {
        Duration bound = config.reads().maxStaleness();
        Response created = createSession(ALICE, "read elsewhere", Map.of("v", 1));
        String id = created.path("id");
        String v1 = created.header("ETag");
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", v1);
        commands.start();
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", v1).body("content.v", equalTo(1));
        assertEquals(0, reads(id), "the JSON held is served without the store");

        String v2 = AnotherReplica.saveAndDieBeforePublishing(id, "{\"v\":2}");
        await().atMost(bound.plus(MARGIN)).pollInterval(Duration.ofSeconds(1)).until(() ->
                v2.equals(as(ALICE).get("/sessions/" + id).header("ETag")));
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", v2).body("content.v", equalTo(2));
        as(ALICE).header("If-None-Match", v1).get("/sessions/" + id).then().statusCode(200).body("content.v", equalTo(2));
        as(ALICE).header("If-None-Match", v2).get("/sessions/" + id).then().statusCode(304).header("ETag", v2);
    }

    @Test
    void aSnapshotOfASessionCopiesTheNewStateWithinTheBoundOfAWriteWhoseNoticeWasNeverPublished() throws Exception {
        Duration bound = config.reads().maxStaleness();
        Response created = createSession(ALICE, "copied elsewhere", Map.of("v", 1));
        String id = created.path("id");
        snapshotOf(id).then().statusCode(201).body("sessionVersion", equalTo(1));
        // Once this instance hears the owner's notices, the state it holds is copied without the store.
        java.util.concurrent.atomic.AtomicReference<String> first = new java.util.concurrent.atomic.AtomicReference<>();
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            commands.start();
            first.set(snapshotOf(id).then().statusCode(201).body("sessionVersion", equalTo(1)).extract().path("id"));
            return reads(id) == 0;
        });
        as(ALICE).get("/snapshots/" + first.get()).then().statusCode(200).body("content.v", equalTo(1));

        AnotherReplica.saveAndDieBeforePublishing(id, "{\"v\":2}");
        await().atMost(bound.plus(MARGIN)).pollInterval(Duration.ofSeconds(1)).until(() ->
                snapshotOf(id).then().statusCode(201).extract().<Integer>path("sessionVersion") == 2);
        String latest = snapshotOf(id).then().statusCode(201).body("sessionVersion", equalTo(2)).extract().path("id");
        as(ALICE).get("/snapshots/" + latest).then().statusCode(200).body("content.v", equalTo(2));
    }

    @Test
    void aSnapshotNamingTheEtagAnotherReplicaAnsweredFreezesThatStateAtOnce() throws Exception {
        Response created = createSession(ALICE, "named elsewhere", Map.of("v", 1));
        String id = created.path("id");
        // Held here under v1, and copied from memory: this instance vouches for v1 until it hears otherwise.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            commands.start();
            snapshotOf(id).then().statusCode(201).body("sessionVersion", equalTo(1));
            return reads(id) == 0;
        });
        String v2 = AnotherReplica.saveAndDieBeforePublishing(id, "{\"v\":2}");
        // Its notice never comes, and v1 would be copied for up to the bound; the client names the state it saved.
        String frozen = as(ALICE).contentType("application/json").body(Map.of("sessionId", id, "sessionEtag", v2))
                .post("/snapshots").then().statusCode(201).body("sessionVersion", equalTo(2)).extract().path("id");
        as(ALICE).get("/snapshots/" + frozen).then().statusCode(200).body("content.v", equalTo(2));
    }

    @Test
    void aMergePatchOfAHeldStateThatAnotherReplicaReplacedIsRefusedAndWritesNothing() throws Exception {
        Response created = createSession(ALICE, "patched elsewhere", Map.of("v", 1, "kept", true));
        String id = created.path("id");
        String v1 = created.header("ETag");
        String v2 = AnotherReplica.saveAndDieBeforePublishing(id, "{\"v\":2}");
        // This instance holds the state it wrote under v1; the store holds v2.
        as(ALICE).contentType("application/merge-patch+json").header("If-Match", v1).body(Map.of("content", Map.of("v", 3)))
                .patch("/sessions/" + id).then().statusCode(412).header("ETag", v2).body("version", equalTo(2));
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", v2).body("content.v", equalTo(2))
                .body("content.kept", org.hamcrest.Matchers.nullValue());
    }

    private static Response snapshotOf(String sessionId) {
        return as(ALICE).contentType("application/json").body(Map.of("sessionId", sessionId)).post("/snapshots");
    }

    /** The service's reads of this one session from the store since recording began. */
    private long reads(String id) {
        String named = "\"" + id + "\"";
        return commands.recorded().stream().filter(s -> s.collection().equals("sessions") && s.command().equals("find")
                && s.filter().toJson().contains(named)).count();
    }
}
