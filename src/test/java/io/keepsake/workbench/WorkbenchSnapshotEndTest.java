package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.workbench.WorkbenchTabsTest.board;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDate;
import java.time.LocalTime;
import java.time.ZoneId;
import java.util.Map;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.store.Time;
import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Ends of shared snapshots in the page: the share panel's optional end date, and what a colleague sees after it. */
@QuarkusTest
class WorkbenchSnapshotEndTest {

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    @AfterEach
    void resetClock() {
        Time.reset();
    }

    @Test
    void theSharePanelGivesTheSnapshotTheEndDayPicked() {
        String id = board("Ends on a day");
        LocalDate day = LocalDate.now(ZoneId.systemDefault()).plusDays(3);
        try (Browser alice = Browser.as(ALICE)) {
            alice.open(base, "/?session=" + id);
            alice.script("arguments[0].value = arguments[1]", alice.find("#share-expires"), day.toString());
            alice.find("#share").click();
            alice.waitFor(Duration.ofSeconds(5), d -> !alice.value("#share-url").isEmpty());
            assertTrue(alice.text("#share-ends").startsWith("Expires"), alice.text("#share-ends"));
            String link = alice.value("#share-url");
            String snapshot = link.substring(link.lastIndexOf('/') + 1);
            String expiresAt = as(ALICE).get("/snapshots/metadata/" + snapshot).then().statusCode(200)
                    .extract().path("expiresAt");
            // The browser and this test share the machine's time zone: the end of the picked day there.
            assertEquals(day.atTime(LocalTime.of(23, 59, 59, 999_000_000)).atZone(ZoneId.systemDefault()).toInstant(),
                    Instant.parse(expiresAt));
        }
    }

    @Test
    void aColleagueOpeningAnExpiredSnapshotIsToldItHasExpired() {
        String snapshot = as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "Short-lived", "content", 1,
                "expiresAt", Time.now().plus(Duration.ofHours(1)).toString())).post("/snapshots")
                .then().statusCode(201).extract().path("id");
        Time.advance(Duration.ofHours(2));
        try (Browser bob = Browser.as(BOB)) {
            bob.open(base, "/?snapshot=" + snapshot);
            bob.waitFor(Duration.ofSeconds(5), d -> bob.find("#message").isDisplayed());
            assertEquals("This snapshot has expired.", bob.text("#message"));
            bob.screenshot("snapshot-expired");

            bob.driver().get(base.resolve("/s/" + snapshot).toString()); // the share URL itself
            assertTrue(bob.text("h1").contains("This snapshot has expired"), bob.driver().getPageSource());
        }
    }
}
