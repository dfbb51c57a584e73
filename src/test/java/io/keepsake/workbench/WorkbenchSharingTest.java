package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.workbench.WorkbenchTabsTest.board;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** Sharing: a snapshot's link opens it read-only in the colleague's browser, and the owner sees the visit. */
@QuarkusTest
class WorkbenchSharingTest {

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    @Test
    void aSharedLinkOpensTheSnapshotReadOnlyAndCountsOneVisit() {
        String id = board("Shared board");
        String snapshot;
        try (Browser alice = Browser.as(ALICE); Browser bob = Browser.as(BOB)) {
            alice.open(base, "/?session=" + id);
            alice.find("#share").click();
            alice.waitFor(Duration.ofSeconds(5), d -> !alice.value("#share-url").isEmpty());
            String link = alice.value("#share-url");
            assertTrue(link.matches("https?://[^/]+/s/[A-Za-z0-9_-]{12}"), link);
            snapshot = link.substring(link.lastIndexOf('/') + 1);
            alice.screenshot("share-link");

            bob.open(base, "/s/" + snapshot); // the share URL's browser redirect lands on the workbench
            assertEquals("/?snapshot=" + snapshot, URI.create(bob.driver().getCurrentUrl()).getRawPath()
                    + "?" + URI.create(bob.driver().getCurrentUrl()).getRawQuery());
            assertEquals("readonly", bob.state());
            assertTrue(bob.find("#readonly").isDisplayed());
            assertTrue(bob.text("#readonly-text").contains("Shared board"));
            assertEquals("first draft", bob.value(".note[data-note-id=n1] .note-body"));
            assertFalse(bob.find(".note[data-note-id=n1] .note-body").isEnabled(), "read-only");
            bob.screenshot("snapshot-read-only");

            await().atMost(Duration.ofSeconds(10)).until(() -> Integer.valueOf(1).equals(
                    as(ALICE).get("/snapshots/metadata/" + snapshot).then().statusCode(200).extract().path("visits")));
            alice.open(base, "/?session=" + id);
            alice.waitFor(Duration.ofSeconds(5),
                    d -> alice.text("#my-snapshots li[data-id='" + snapshot + "'] .visits").equals("1 visit"));

            bob.open(base, "/");
            bob.waitFor(Duration.ofSeconds(5), d -> bob.text("#visited-list").contains("Shared board"));
            bob.find("#visited-list li[data-id='" + snapshot + "'] .forget").click();
            bob.waitFor(Duration.ofSeconds(5), d -> !bob.text("#visited-list").contains("Shared board"));
        }
        as(BOB).get("/snapshot_access_logs").then().statusCode(200)
                .body("items.snapshotId", org.hamcrest.Matchers.not(org.hamcrest.Matchers.hasItem(snapshot)));
    }
}
