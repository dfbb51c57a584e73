package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.workbench.WorkbenchTabsTest.stored;
import static io.keepsake.workbench.WorkbenchTabsTest.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The history panel: each save keeps the version it replaced; a past version is previewed with what
 * changed since, and restored as the next version, which the other tabs show and the API serves.
 */
@QuarkusTest
class WorkbenchHistoryTest {

    private static final Duration SAVE = Duration.ofSeconds(10);
    private static final String BODY = ".note .note-body";

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    /** Types into a field of the page and waits until the save it causes is answered; returns the new version. */
    private static int edit(Browser browser, String id, String css, String text) {
        int before = stored(id).getInt("version");
        type(browser.find(css), text);
        browser.waitFor(SAVE, d -> "saved".equals(browser.state()) && stored(id).getInt("version") > before);
        return stored(id).getInt("version");
    }

    @Test
    void aVersionRestoredFromTheHistoryPanelIsTheNextVersionInEveryTabAndOnTheServer() {
        try (Browser browser = Browser.signedOut()) {
            browser.signIn(base, ALICE);
            browser.find("#new-session").click();
            String id = browser.waitFor(SAVE, d -> {
                String session = URI.create(d.getCurrentUrl()).getQuery();
                return session != null && session.matches("session=[A-Za-z0-9_-]+") && !session.startsWith("session=local-")
                        && "saved".equals(browser.state())
                        ? session.substring("session=".length()) : null;
            });
            String tabA = browser.tab();

            int second = edit(browser, id, BODY, "second");
            edit(browser, id, BODY, "third");
            int current = edit(browser, id, "#title", "Renamed board");

            browser.find("#history-toggle").click();
            browser.waitFor(SAVE, d -> browser.findAll("#history-list li[data-version]").size() == current);
            assertEquals(String.valueOf(current), browser.find("#history-list li.history-current").getDomAttribute("data-version"));
            browser.find("#history-list li[data-version='" + second + "']").click();
            browser.waitFor(SAVE, d -> browser.find("#history-preview").isDisplayed());
            assertTrue(browser.text("#history-fields").contains("second"), browser.text("#history-fields"));
            assertEquals("third", browser.text("#history-diff li[data-path='/content/notes/0/body'] .value"));
            assertEquals("Renamed board", browser.text("#history-diff li[data-path='/title'] .value"));
            browser.screenshot("history-preview");

            String tabB = browser.newTab();
            browser.open(base, "/?session=" + id);
            assertEquals("third", browser.value(BODY));

            browser.switchTo(tabA);
            browser.find("#history-restore").click();
            browser.waitFor(SAVE, d -> browser.text("#history-status").equals("v" + second + " restored as v" + (current + 1) + "."));
            assertEquals("saved", browser.state());
            assertEquals("second", browser.value(BODY));
            assertEquals("Untitled board", browser.value("#title"));
            browser.waitFor(SAVE, d -> String.valueOf(current + 1)
                    .equals(browser.find("#history-list li.history-current").getDomAttribute("data-version")));

            browser.switchTo(tabB);
            browser.waitFor(Duration.ofSeconds(5), d -> "second".equals(browser.value(BODY))
                    && "Untitled board".equals(browser.value("#title")));
            assertEquals("saved", browser.state());

            JsonPath session = stored(id);
            JsonPath restored = as(ALICE).get("/sessions/" + id + "/revisions/" + second).then().statusCode(200)
                    .extract().jsonPath();
            assertEquals(current + 1, session.getInt("version"), "the restore is exactly one write");
            assertEquals(restored.getString("title"), session.getString("title"));
            assertEquals(restored.<Map<String, Object>>get("content"), session.<Map<String, Object>>get("content"));
            assertEquals(List.of("second"), session.getList("content.notes.body", String.class));
        }
    }

    @Test
    void theAccountAreaLinksToTheDownloadOfEverythingOfTheUsers() {
        try (Browser browser = Browser.signedOut()) {
            browser.signIn(base, ALICE);
            assertEquals("/persistence/me/export", browser.find("#export").getDomAttribute("href"));
            assertEquals("Download my data", browser.text("#export"));
            Object export = browser.script("return fetch(document.getElementById('export').href).then("
                    + "(r) => r.headers.get('Content-Disposition') + '\\n' + r.headers.get('Content-Type'))");
            assertTrue(String.valueOf(export).contains("keepsake-export.ndjson"), String.valueOf(export));
            assertTrue(String.valueOf(export).contains("application/x-ndjson"), String.valueOf(export));
        }
    }
}
