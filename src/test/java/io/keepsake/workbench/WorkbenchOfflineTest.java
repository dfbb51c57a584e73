package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.workbench.WorkbenchTabsTest.board;
import static io.keepsake.workbench.WorkbenchTabsTest.stored;
import static io.keepsake.workbench.WorkbenchTabsTest.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
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

/** Offline: writes wait in the queue, survive a reload, and reach the server once each when back. */
@QuarkusTest
class WorkbenchOfflineTest {

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    @Test
    void writesMadeOfflineAreQueuedKeptOverAReloadAndReplayedOnceEach() {
        String id = board("Offline board");
        String newTitle = "Made offline " + System.nanoTime();
        try (Browser browser = Browser.as(ALICE)) {
            browser.open(base, "/?session=" + id);
            browser.waitUntilOfflineReady();
            browser.offline(true);

            type(browser.find(".note[data-note-id=n1] .note-body"), "written offline");
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 1);
            assertEquals("offline", browser.state());
            type(browser.find(".note[data-note-id=n1] .note-title"), "Still offline");
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 2);
            browser.find("#new-session").click();
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 3);
            type(browser.find("#title"), newTitle);
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 4);

            browser.driver().navigate().refresh();
            browser.waitFor(Duration.ofSeconds(20), d -> "true".equals(browser.body().getDomAttribute("data-ready")));
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 4);
            assertEquals(newTitle, browser.value("#title"), "the page reopened the session made offline");
            assertEquals("offline", browser.state());
            assertTrue(browser.text("#session-list").contains(newTitle));
            browser.screenshot("offline-queue");
            assertEquals(1, stored(id).getInt("version"), "nothing reached the server");

            browser.offline(false);
            browser.waitFor(Duration.ofSeconds(15), d -> browser.queued() == 0);
            browser.waitForState("saved", Duration.ofSeconds(10));
        }
        JsonPath after = stored(id);
        assertEquals(3, after.getInt("version"), "one version per queued save");
        assertEquals("Still offline", after.getString("content.notes[0].title"));
        assertEquals("written offline", after.getString("content.notes[0].body"));
        List<Object> made = as(ALICE).queryParam("filter_title", newTitle).get("/sessions").path("items");
        assertEquals(1, made.size(), "the session made offline exists once");
        assertEquals(2, ((java.util.Map<?, ?>) made.get(0)).get("version"), "created, then saved with its title");
    }
}
