package io.keepsake.accesslog;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSnapshot;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.quarkus.test.junit.QuarkusTest;

/** Deleting a much-visited snapshot marks every one of its logs, through the task queue. */
@QuarkusTest
class DeletedSnapshotLogsTest {

    @Inject
    AccessLogRepository repository;

    private long logs(String snapshotId, boolean deleted) {
        return repository.mongoCollection()
                .countDocuments(Filters.and(Filters.eq("snapshotId", snapshotId), Filters.eq("snapshotDeleted", deleted)))
                .await().atMost(Duration.ofSeconds(10));
    }

    @Test
    void deletingASnapshotWithAThousandLogsMarksThemAll() {
        String id = newSnapshot(ALICE, "popular", 1);
        as(BOB).get("/snapshots/" + id).then().statusCode(200);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        List<io.smallrye.mutiny.Uni<Void>> writes = new ArrayList<>();
        for (int i = 0; i < 999; i++) {
            writes.add(repository.record(new Visit("visitor-" + i, id, "popular", ALICE, now), Duration.ofMinutes(5)));
        }
        io.smallrye.mutiny.Uni.join().all(writes).usingConcurrencyOf(32).andFailFast().await().atMost(Duration.ofSeconds(60));
        await().atMost(Duration.ofSeconds(10)).until(() -> logs(id, false) == 1000);

        as(ALICE).delete("/snapshots/" + id).then().statusCode(204);

        await().atMost(Duration.ofSeconds(30)).until(() -> logs(id, true) == 1000);
        assertEquals(0, logs(id, false));
        as(BOB).queryParam("page_size", 100).get("/snapshot_access_logs").then().statusCode(200)
                .body("items.snapshotId", not(hasItem(id)));
        as(BOB).queryParam("filter_snapshot_deleted", "true").queryParam("page_size", 100).get("/snapshot_access_logs")
                .then().body("items.snapshotId", hasItem(id));
    }
}
