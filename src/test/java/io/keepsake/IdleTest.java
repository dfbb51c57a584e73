package io.keepsake;

import static io.keepsake.testing.Api.as;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

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
 * store at their own periods of minutes, are left aside here.
 */
@QuarkusTest
@TestProfile(IdleTest.Profile.class)
class IdleTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.tasks.poll-every", "20ms", "keepsake.tasks.idle-poll-every", "1h",
                    "keepsake.notices.feed", "tailing", "keepsake.notices.tail-every", "10ms",
                    "keepsake.notices.reconcile-every", "50ms");
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
        // The runner's safety looks come often after start-up, then further and further apart.
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(10))
                .until(() -> runner.untilNextLook().compareTo(WINDOW.plusSeconds(1)) > 0);

        commands.start();
        await().during(WINDOW).atMost(WINDOW.plusSeconds(2)).until(() -> fromTimers(commands.recorded()).isEmpty());
        assertEquals(List.of(), fromTimers(commands.stop()));
    }

    @Test
    void theTailingFeedReadsTheStoreOnlyWhileSomeoneListens() {
        commands.start();
        CompletableFuture<Integer> longPoll = CompletableFuture.supplyAsync(
                () -> as("carol").get("/notices?wait=2").then().extract().statusCode());
        await().atMost(Duration.ofSeconds(5)).until(() -> feed.tailing() && commands.recorded().stream()
                .anyMatch(s -> s.collection().equals("notices") && s.filter().containsKey("grewAt")));
        assertEquals(200, longPoll.join());

        await().atMost(Duration.ofSeconds(5)).until(() -> !feed.tailing());
        commands.start();
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> fromTimers(commands.recorded()).isEmpty());
        assertEquals(List.of(), fromTimers(commands.stop()));
        assertFalse(feed.tailing());
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
            case "sessions", "snapshots" -> filter.toJson().contains("outbox.at");
            default -> false;
        };
    }

    private static long since(BsonValue condition) {
        BsonValue from = condition.isDocument() ? condition.asDocument().get("$gte") : null;
        return from != null && from.isDateTime() ? from.asDateTime().getValue() : -1;
    }
}
