package io.keepsake.sync;

import static io.keepsake.sync.BatchTest.batch;
import static io.keepsake.sync.BatchTest.op;
import static io.keepsake.sync.BatchTest.session;
import static io.keepsake.sync.BatchTest.statuses;
import static io.keepsake.testing.Api.as;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.LowRateLimits;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;

/**
 * A batch's writes count against the writer's rate, from a burst that holds one full batch: a
 * catch-up of 100 saves is not refused by a limit of five writes a second (bursts of ten) meant for
 * a runaway tab, and the single writes after it wait for the bucket to fill again.
 */
@QuarkusTest
@TestProfile(LowRateLimits.class)
class BatchRateLimitTest {

    private static final String USER = "batch-rate";

    @Test
    void aFullBatchOfSavesPassesTheWriteRateAndCountsAgainstIt() {
        List<Map<String, Object>> ops = new ArrayList<>();
        ops.add(op("POST", "/sessions", null, session("catching up", 0)));
        for (int n = 1; n < 100; n++) {
            ops.add(op("PUT", "/sessions/$1", Map.of("If-Match", "$" + n), session("catching up", n)));
        }
        var answer = batch(USER, Map.of("operations", ops), null);
        List<Integer> expected = new ArrayList<>(Collections.nCopies(100, 200));
        expected.set(0, 201);
        assertEquals(expected, statuses(answer));
        String id = answer.path("results[0].body.id");
        as(USER).get("/sessions/" + id).then().statusCode(200).body("version", equalTo(100)).body("content", equalTo(99));
        // The batch used the bucket up: a single write now waits.
        as(USER).contentType(ContentType.JSON).body(session("right after", 1)).post("/sessions").then().statusCode(429)
                .header("Retry-After", org.hamcrest.Matchers.notNullValue())
                .body("limit", equalTo("keepsake.rate-limits.session-writes-per-second"));
    }
}
