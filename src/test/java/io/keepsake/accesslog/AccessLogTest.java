package io.keepsake.accesslog;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSnapshot;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.UUID;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.config.PagingConfig;
import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;

@QuarkusTest
class AccessLogTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    AccessLogRepository repository;

    private static Response myLog(String user, String snapshotId, String filterDeleted) {
        var request = as(user).queryParam("page_size", 100);
        if (filterDeleted != null) {
            request = request.queryParam("filter_snapshot_deleted", filterDeleted);
        }
        Response list = request.get("/snapshot_access_logs");
        list.then().statusCode(200);
        return list;
    }

    private static int visitsOf(String user, String snapshotId) {
        List<Integer> visits = myLog(user, snapshotId, "all").path("items.findAll { it.snapshotId == '" + snapshotId + "' }.visits");
        return visits.isEmpty() ? 0 : visits.get(0);
    }

    @Test
    void aReadCountsOneVisitAndTheOwnerSeesIt() {
        String id = newSnapshot(ALICE, "visited " + UUID.randomUUID(), 1);
        as(BOB).get("/snapshots/" + id).then().statusCode(200);
        as(BOB).get("/snapshots/" + id).then().statusCode(200); // inside the window: not counted
        await().atMost(Duration.ofSeconds(10)).until(() -> visitsOf(BOB, id) == 1);

        Response log = myLog(BOB, id, null);
        log.then().body("items.find { it.snapshotId == '" + id + "' }.snapshotOwnerId", equalTo(ALICE))
                .body("items.find { it.snapshotId == '" + id + "' }.snapshotDeleted", equalTo(false));
        as(ALICE).get("/snapshots/" + id).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> visitsOf(ALICE, id) == 1);
        as(ALICE).get("/snapshots/metadata/" + id).then().body("visits", equalTo(2)).body("uniqueVisitors", equalTo(2));
        as(BOB).get("/snapshots/metadata/" + id).then().body("visits", equalTo(null));
    }

    @Test
    void theVisitWindowCountsAVisitOnlyAfterItHasPassed() {
        String snapshot = "window" + UUID.randomUUID().toString().substring(0, 6);
        Instant t0 = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        Duration window = Duration.ofMinutes(5);
        record(new Visit("carol", snapshot, "T", ALICE, t0), window);
        record(new Visit("carol", snapshot, "T", ALICE, t0.plusSeconds(60)), window);
        record(new Visit("carol", snapshot, "T", ALICE, t0.plusSeconds(299)), window);
        AccessLog log = repository.findById(AccessLog.key("carol", snapshot)).await().atMost(Duration.ofSeconds(5));
        assertEquals(1, log.visits);
        assertEquals(t0, log.firstVisitedAt);
        assertEquals(t0.plusSeconds(299), log.lastVisitedAt);

        record(new Visit("carol", snapshot, "T", ALICE, t0.plusSeconds(301)), window);
        record(new Visit("carol", snapshot, "T", ALICE, t0.plusSeconds(400)), window);
        record(new Visit("carol", snapshot, "T", ALICE, t0.plusSeconds(602)), window);
        log = repository.findById(AccessLog.key("carol", snapshot)).await().atMost(Duration.ofSeconds(5));
        assertEquals(3, log.visits);
        assertEquals(t0, log.firstVisitedAt, "firstVisitedAt is set once");
        assertEquals(t0.plusSeconds(602), log.lastVisitedAt);
    }

    private void record(Visit visit, Duration window) {
        repository.record(visit, window).await().atMost(Duration.ofSeconds(5));
    }

    @Test
    void twentyConcurrentFirstReadsCountOnce() {
        String id = newSnapshot(ALICE, "burst " + UUID.randomUUID(), 1);
        List<HttpResponse<String>> responses = Http.concurrently(20,
                i -> Http.request(base, "persistence/snapshots/" + id, BOB).GET().build());
        responses.forEach(r -> assertEquals(200, r.statusCode()));
        await().atMost(Duration.ofSeconds(10)).until(() -> visitsOf(BOB, id) == 1);
        AccessLog log = repository.findById(AccessLog.key(BOB, id)).await().atMost(Duration.ofSeconds(5));
        assertEquals(1, log.visits);
    }

    @Test
    void deletedSnapshotsAreHiddenByDefaultAndAVisitorMayForgetALog() {
        String kept = newSnapshot(ALICE, "kept " + UUID.randomUUID(), 1);
        String gone = newSnapshot(ALICE, "gone " + UUID.randomUUID(), 1);
        as(BOB).get("/snapshots/" + kept).then().statusCode(200);
        as(BOB).get("/snapshots/" + gone).then().statusCode(200);
        await().atMost(Duration.ofSeconds(10)).until(() -> visitsOf(BOB, kept) == 1 && visitsOf(BOB, gone) == 1);

        as(ALICE).delete("/snapshots/" + gone).then().statusCode(204);
        await().atMost(Duration.ofSeconds(10)).until(() -> !myLog(BOB, null, null).<List<String>>path("items.snapshotId").contains(gone));
        myLog(BOB, null, null).then().body("items.snapshotId", hasItem(kept));
        myLog(BOB, null, "true").then().body("items.snapshotId", hasItem(gone)).body("items.snapshotId", not(hasItem(kept)))
                .body("items.find { it.snapshotId == '" + gone + "' }.snapshotDeleted", equalTo(true));

        as(BOB).delete("/snapshot_access_logs/" + kept).then().statusCode(204);
        myLog(BOB, null, "all").then().body("items.snapshotId", not(hasItem(kept)));
        as(BOB).delete("/snapshot_access_logs/" + kept).then().statusCode(404);
        as(BOB).queryParam("filter_snapshot_deleted", "maybe").get("/snapshot_access_logs").then().statusCode(400);
    }

    @Test
    void logsSortByVisitsAndFilterByTitle() {
        String tag = "sorted-" + UUID.randomUUID();
        String once = newSnapshot(ALICE, tag + " once", 1);
        String twice = newSnapshot(ALICE, tag + " twice", 1);
        Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
        record(new Visit("dave", once, tag + " once", ALICE, now), Duration.ofMinutes(5));
        record(new Visit("dave", twice, tag + " twice", ALICE, now.minusSeconds(3600)), Duration.ofMinutes(5));
        record(new Visit("dave", twice, tag + " twice", ALICE, now), Duration.ofMinutes(5));
        List<AccessLog> byVisits = repository.list("dave", new AccessLogFilter(tag, false, null, null, null, null, null, null, null),
                io.keepsake.web.PageRequest.of(null, null, "visits", null, AccessLogFilter.SORTABLE,
                        AccessLogFilter.DEFAULT_SORT, new Paging())).await().atMost(Duration.ofSeconds(5));
        assertEquals(List.of(twice, once), byVisits.stream().map(l -> l.snapshotId).toList());
    }

    /** The default paging settings, for calling the repository directly. */
    private static final class Paging implements PagingConfig {
        @Override
        public int defaultPageSize() {
            return 20;
        }

        @Override
        public int maxPageSize() {
            return 100;
        }
    }
}
