package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.workbench.WorkbenchTabsTest.board;
import static io.keepsake.workbench.WorkbenchTabsTest.stored;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Back online after hundreds of edits: the queue catches up in a few batches, every edit once and in order. */
@QuarkusTest
class WorkbenchBatchSyncTest {

    /** Sets the title as typing would, one edit at a time, each waiting until its save is queued. */
    private static final String EDIT_TITLES = """
            const [prefix, count] = arguments;
            const title = document.getElementById('title');
            const queued = () => Number(document.getElementById('queue-count').textContent);
            for (let i = 1; i <= count; i++) {
              const before = queued();
              title.value = prefix + ' ' + i;
              title.dispatchEvent(new Event('input', { bubbles: true }));
              const deadline = Date.now() + 5000;
              while (queued() < before + 1) {
                if (Date.now() > deadline) {
                  return 'edit ' + i + ' was not queued';
                }
                await new Promise((resolve) => setTimeout(resolve, 2));
              }
            }
            return 'queued';
            """;

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    @Test
    void threeHundredEditsQueuedOfflineArriveOnceEachInOrderInAtMostFourBatches() {
        String run = Long.toString(System.nanoTime(), 36);
        String alpha = board("Alpha " + run);
        String beta = board("Beta " + run);
        try (Browser browser = Browser.as(ALICE)) {
            browser.driver().manage().timeouts().scriptTimeout(Duration.ofSeconds(60));
            // Opened once online, so that the page and both sessions open offline too.
            browser.open(base, "/?autosave=1&session=" + beta);
            browser.open(base, "/?autosave=1&session=" + alpha);
            browser.waitUntilOfflineReady();
            browser.offline(true);

            browser.open(base, "/?autosave=1&session=" + alpha);
            assertEquals("queued", browser.script(EDIT_TITLES, "Alpha " + run, 100));
            browser.open(base, "/?autosave=1&session=" + beta);
            assertEquals("queued", browser.script(EDIT_TITLES, "Beta " + run, 100));
            browser.find("#new-session").click();
            browser.waitFor(Duration.ofSeconds(5), d -> browser.queued() == 201);
            assertEquals("queued", browser.script(EDIT_TITLES, "Gamma " + run, 99));
            assertEquals(300, browser.queued());
            assertEquals(1, stored(alpha).getInt("version"), "nothing reached the server");
            browser.script("performance.setResourceTimingBufferSize(10000)");

            browser.offline(false);
            browser.waitFor(Duration.ofSeconds(60), d -> browser.queued() == 0);
            browser.waitForState("saved", Duration.ofSeconds(10));
            long batches = ((Number) browser.script("return performance.getEntriesByType('resource')"
                    + ".filter((e) => new URL(e.name).pathname === '/persistence/batch').length")).longValue();
            assertTrue(batches >= 3 && batches <= 4, "300 writes went in " + batches + " requests to /batch");
            assertEquals("0", browser.text("#dead-count"));
        }
        assertArrivedInOrder(alpha, "Alpha " + run, "Alpha " + run, 100);
        assertArrivedInOrder(beta, "Beta " + run, "Beta " + run, 100);
        List<Map<String, Object>> made = as(ALICE).queryParam("filter_title", "Gamma " + run).get("/sessions").path("items");
        assertEquals(1, made.size(), "the session made offline exists once");
        String gamma = (String) made.get(0).get("id");
        assertArrivedInOrder(gamma, "Untitled board", "Gamma " + run, 99);
    }

    /** The session holds the last edit, and one version per edit, each with the title of that edit. */
    private static void assertArrivedInOrder(String id, String first, String prefix, int edits) {
        JsonPath now = stored(id);
        assertEquals(edits + 1, now.getInt("version"), "one version per queued write");
        assertEquals(prefix + " " + edits, now.getString("title"));
        List<String> titles = new ArrayList<>();
        String cursor = null;
        do {
            var request = as(ALICE).queryParam("page_size", 100);
            if (cursor != null) {
                request.queryParam("cursor", cursor);
            }
            JsonPath page = request.get("/sessions/" + id + "/revisions").then().statusCode(200).extract().jsonPath();
            titles.addAll(page.getList("items.title"));
            cursor = page.getString("pageToken");
        } while (cursor != null);
        List<String> expected = new ArrayList<>();
        for (int edit = edits - 1; edit >= 1; edit--) {
            expected.add(prefix + " " + edit);
        }
        expected.add(first);
        assertEquals(expected, titles, "the versions replaced, newest first: every edit, in order");
    }
}
