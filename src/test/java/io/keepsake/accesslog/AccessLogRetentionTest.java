package io.keepsake.accesslog;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSnapshot;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.List;

import jakarta.inject.Inject;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import com.mongodb.client.model.Filters;

import io.keepsake.store.Time;
import io.keepsake.testing.EmbeddedStoreResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * A visit log is kept for keepsake.access-logs.retention (365 days by default) after its last
 * visit; then the retention sweep forgets it. A log visited since is kept. The clock is moved, not waited on.
 */
@QuarkusTest
class AccessLogRetentionTest {

    private static final String VISITOR = "carol";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @Inject
    AccessLogRetention retention;

    @AfterEach
    void resetClock() {
        Time.reset();
    }

    private static List<String> visited() {
        return as(VISITOR).queryParam("filter_snapshot_deleted", "all").queryParam("page_size", 100)
                .get("/snapshot_access_logs").then().statusCode(200).extract().path("items.snapshotId");
    }

    private static long stored(String snapshotId) {
        return EmbeddedStoreResource.database().getCollection("snapshot_access_logs")
                .countDocuments(Filters.and(Filters.eq("visitorId", VISITOR), Filters.eq("snapshotId", snapshotId)));
    }

    @Test
    void aLogNotVisitedForTheRetentionPeriodIsForgottenAndOneVisitedSinceIsKept() {
        String old = newSnapshot(ALICE, "visited long ago", 1);
        String recent = newSnapshot(ALICE, "visited lately", 2);
        as(VISITOR).get("/snapshots/" + old).then().statusCode(200);
        as(VISITOR).get("/snapshots/" + recent).then().statusCode(200);
        await().atMost(WAIT).until(() -> visited().containsAll(List.of(old, recent)));

        Time.advance(Duration.ofDays(200));
        as(VISITOR).get("/snapshots/" + recent).then().statusCode(200);
        await().atMost(WAIT).until(() -> EmbeddedStoreResource.database().getCollection("snapshot_access_logs")
                .countDocuments(Filters.and(Filters.eq("visitorId", VISITOR), Filters.eq("snapshotId", recent),
                        Filters.gt("lastVisitedAt", java.util.Date.from(Time.now().minus(Duration.ofDays(1)))))) == 1);
        retention.sweep().await().atMost(WAIT);
        assertEquals(1, stored(old), "200 days: kept");

        Time.advance(Duration.ofDays(166));
        assertTrue(retention.sweep().await().atMost(WAIT) >= 1);
        assertEquals(0, stored(old), "366 days after its last visit: forgotten");
        assertEquals(1, stored(recent), "visited 166 days ago: kept");
        List<String> listed = visited();
        assertFalse(listed.contains(old));
        assertTrue(listed.contains(recent));
    }
}
