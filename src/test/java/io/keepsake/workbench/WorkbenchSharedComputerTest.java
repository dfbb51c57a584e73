package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.workbench.WorkbenchTabsTest.board;
import static io.keepsake.workbench.WorkbenchTabsTest.stored;
import static io.keepsake.workbench.WorkbenchTabsTest.type;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * One browser, two people, signed in by the login form in turn: what Alice leaves queued when she
 * signs out is locked in the browser, never sent, read or shown as Bob, and goes out as Alice when
 * she signs in again.
 */
@QuarkusTest
class WorkbenchSharedComputerTest {

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    private static int count(Browser browser, String css) {
        return Integer.parseInt(browser.text(css));
    }

    private static List<String> titles(String user, String title) {
        return as(user).queryParam("filter_title", title).get("/sessions").then().statusCode(200)
                .extract().jsonPath().getList("items.title", String.class);
    }

    @Test
    void whatAliceLeavesQueuedIsNeitherSentNorShownAsBobAndGoesOutAsHerWhenSheIsBack() {
        String id = board("Shared computer");
        String secret = "Alice's secret " + System.nanoTime();
        String newTitle = "Alice offline " + System.nanoTime();
        try (Browser browser = Browser.signedOut()) {
            browser.signIn(base, ALICE);
            browser.open(base, "/?session=" + id);
            browser.waitUntilOfflineReady();
            browser.offline(true);
            type(browser.find(".note[data-note-id=n1] .note-body"), secret);
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 1);
            browser.find("#new-session").click();
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 2);
            type(browser.find("#title"), newTitle);
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 3);

            // Her writes still cannot get through, but the sign-out does.
            browser.block("*/persistence/sessions*", "*/persistence/batch*");
            browser.offline(false);
            browser.signOut();
            browser.block();
            assertFalse(browser.body().getText().contains(secret), "nothing of hers is shown once she signed out");

            browser.signIn(base, BOB);
            assertEquals(0, browser.queued(), "her queue is not his");
            assertEquals(0, count(browser, "#dead-count"));
            assertFalse(browser.text("#session-list").contains(newTitle));
            browser.open(base, "/?session=" + id);
            assertTrue(browser.text("#message").contains("does not exist"));
            browser.offline(true);
            browser.open(base, "/?session=" + id);
            assertTrue(browser.find("#editor").getDomAttribute("hidden") != null, "offline, nothing of hers is cached for him");
            assertFalse(browser.body().getText().contains(secret));
            browser.screenshot("shared-computer-bob-offline");
            browser.offline(false);
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                    .until(() -> titles(BOB, newTitle).isEmpty() && stored(id).getInt("version") == 1);
            browser.signOut();

            browser.signIn(base, ALICE);
            browser.waitFor(Duration.ofSeconds(15), d -> browser.queued() == 0);
            assertEquals(0, count(browser, "#dead-count"));
        }
        JsonPath after = stored(id);
        assertEquals(2, after.getInt("version"), "her queued save, as her");
        assertEquals(secret, after.getString("content.notes[0].body"));
        assertEquals(List.of(newTitle), titles(ALICE, newTitle), "the session she made offline is hers, once");
        assertEquals(List.of(), titles(BOB, newTitle));
    }

    @Test
    void aSignOutInOneTabSignsTheOthersOutAndTheNextSignInStartsThemAfresh() {
        String id = board("One sign-out, two tabs");
        try (Browser browser = Browser.signedOut()) {
            browser.signIn(base, ALICE);
            browser.open(base, "/?session=" + id);
            String tabA = browser.tab();
            String tabB = browser.newTab();
            browser.open(base, "/?session=" + id);
            assertEquals("first draft", browser.value(".note[data-note-id=n1] .note-body"));

            browser.switchTo(tabA);
            browser.signOut();
            browser.switchTo(tabB);
            browser.waitFor(Duration.ofSeconds(5), d -> !browser.findAll("#sign-in").isEmpty());
            assertEquals("signed-out", browser.state());
            assertTrue(browser.findAll(".note").isEmpty(), "what it showed of hers is gone");

            browser.switchTo(tabA);
            browser.signIn(base, BOB);
            browser.switchTo(tabB);
            browser.waitFor(Duration.ofSeconds(10), d -> !browser.findAll("#user").isEmpty() && BOB.equals(browser.text("#user")));
            assertTrue(browser.findAll(".note").isEmpty());
        }
    }
}
