package io.keepsake;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.UnaryOperator;

import jakarta.inject.Inject;

import org.bson.BsonDocument;
import org.bson.BsonValue;
import org.junit.jupiter.api.Test;

import io.keepsake.notice.NoticeFeed;
import io.keepsake.task.TaskRunner;
import io.keepsake.testing.StoreCommands;
import io.keepsake.testing.StoreCommands.Statement;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;

/**
 * An instance that nobody uses leaves the store alone, though its settings would have it poll
 * often: the task runner's pace is 20 ms and the tailing notice feed's 10 ms (reading every
 * listening user's log every 50 ms). The scheduled sweeps and the outbox recovery, which read the
 * store at their own periods of minutes, are left aside here. What is held to answer from memory is
 * let go of after a second unused here (tag-cache-expire-after), and the feed stops with it.
 */
@QuarkusTest
@TestProfile(IdleTest.Profile.class)
class IdleTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.tasks.poll-every", "20ms", "keepsake.tasks.idle-poll-every", "1h",
                    "keepsake.notices.feed", "tailing", "keepsake.notices.tail-every", "10ms",
                    "keepsake.notices.reconcile-every", "50ms", "keepsake.notices.tag-cache-expire-after", "1s");
        }
    }

    private static final Duration WINDOW = Duration.ofSeconds(3);

    @Inject
    StoreCommands commands;

    @Inject
    TaskRunner runner;

    @Inject
    NoticeFeed feed;

    @Test
    void anInstanceNobodyUsesSendsNothingToTheStore() {
        assertQuietFor(WINDOW, IdleTest::fromTimers);
    }

    @Test
    void theTailingFeedReadsTheStoreOnlyWhileSomeoneListens() {
        commands.start();
        // It waits long enough for a first request on a busy machine to reach the service and be heard.
        CompletableFuture<Integer> longPoll = CompletableFuture.supplyAsync(
                () -> as("carol").get("/notices?wait=5").then().extract().statusCode());
        await().atMost(Duration.ofSeconds(15)).until(() -> feed.tailing() && commands.recorded().stream()
                .anyMatch(s -> s.collection().equals("notices") && s.filter().containsKey("grewAt")));
        assertEquals(200, longPoll.join());

        await().atMost(Duration.ofSeconds(5)).until(() -> !feed.tailing());
        assertQuietFor(Duration.ofSeconds(1), IdleTest::fromTimers);
        assertFalse(feed.tailing());
    }

    @Test
    void anInstanceThatServedAReadStopsItsFeedOnceItHoldsNothing() {
        String id = newSession(ALICE, "read once", Map.of("v", 1));
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200);
        assertTrue(feed.tailing(), "the session's tag is held: its owner's notices are listened to, through the feed");

        // Nobody reads it again: once it has not been used for tag-cache-expire-after, nothing is held, and nothing listens.
        await().atMost(Duration.ofSeconds(10)).until(() -> !feed.tailing());
        assertQuietFor(Duration.ofSeconds(1), IdleTest::feedReads);
        assertFalse(feed.tailing());
    }

    /**
     * Records for {@code window}, once the runner's next look is further off (its safety looks come
     * often after start-up, then further and further apart), and asserts that what was sent
     * meanwhile holds nothing that {@code which} picks out.
     */
    private void assertQuietFor(Duration window, UnaryOperator<List<Statement>> which) {
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> runner.untilNextLook().compareTo(window.plusSeconds(1)) > 0);
        commands.start();
        await().during(window).atMost(window.plusSeconds(2))
                .untilAsserted(() -> assertEquals(List.of(), which.apply(commands.recorded())));
        assertEquals(List.of(), which.apply(commands.stop()));
    }

    /** The notice feed's reads among what was sent (the create's own follow-up writes aside). */
    private static List<Statement> feedReads(List<Statement> sent) {
        return fromTimers(sent).stream().filter(s -> s.collection().equals("notices")).toList();
    }

    /** What was sent, less the statements of the sweeps and of the outbox recovery. */
    private static List<Statement> fromTimers(List<Statement> sent) {
        return sent.stream().filter(s -> !sweepOrRecovery(s)).toList();
    }

    private static boolean sweepOrRecovery(Statement s) {
        BsonDocument filter = s.filter() != null ? s.filter() : new BsonDocument();
        return switch (s.collection()) {
            case "ws_tickets", "tasks", "idempotency_records" -> filter.toJson().contains("expiresAt");
            // The notice sweep lists every log (grown since the epoch); the tailing feed reads the recent ones.
            case "notices" -> filter.containsKey("grewAt") && since(filter.get("grewAt")) == 0;
            // The recovery of outboxes; the sweep of sessions whose idle lifetime ended.
            case "sessions" -> filter.toJson().contains("outbox.at") || filter.toJson().contains("expiresAt");
            // The sweep of revisions past max-age.
            case "revisions" -> filter.toJson().contains("replacedAt");
            // The end sweep's read of snapshots whose end has come.
            case "snapshots" -> filter.toJson().contains("outbox.at") || filter.containsKey("endDue");
            // The retention sweep's read of logs past retention.
            case "snapshot_access_logs" -> filter.containsKey("lastVisitedAt");
            default -> false;
        };
    }

    private static long since(BsonValue condition) {
        BsonValue from = condition.isDocument() ? condition.asDocument().get("$gte") : null;
        return from != null && from.isDateTime() ? from.asDateTime().getValue() : -1;
    }
}
