package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * Tabs and browsers in step: what one saves, the other shows within two seconds; with unsaved
 * edits it shows the conflict instead, and the chosen resolution is one conditional write.
 */
@QuarkusTest
class WorkbenchTabsTest {

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    static String board(String title) {
        return newSession(ALICE, title, Map.of("notes", List.of(
                Map.of("id", "n1", "title", "Plan", "body", "first draft", "color", "yellow"))));
    }

    static JsonPath stored(String id) {
        return as(ALICE).get("/sessions/" + id).then().statusCode(200).extract().jsonPath();
    }

    static void type(WebElement field, String text) {
        field.clear();
        field.sendKeys(text);
    }

    @Test
    void twoTabsOfOneBrowserStayInStepAndResolveAConflictWithOneWrite() {
        String id = board("Two tabs");
        try (Browser browser = Browser.as(ALICE)) {
            browser.open(base, "/?session=" + id);
            String tabA = browser.tab();
            browser.waitForState("saved", Duration.ofSeconds(10));
            String tabB = browser.newTab();
            browser.open(base, "/?session=" + id + "&autosave=60000"); // B keeps its edits unsaved

            browser.switchTo(tabA);
            type(browser.find(".note[data-note-id=n1] .note-body"), "from tab A");
            browser.waitForState("saved", Duration.ofSeconds(10));
            assertEquals(2, stored(id).getInt("version"));
            browser.switchTo(tabB);
            browser.waitFor(Duration.ofSeconds(2), d -> "from tab A".equals(browser.value(".note[data-note-id=n1] .note-body")));
            assertEquals("saved", browser.state());

            type(browser.find(".note[data-note-id=n1] .note-title"), "B's title");
            assertEquals("dirty", browser.state());
            browser.switchTo(tabA);
            type(browser.find(".note[data-note-id=n1] .note-body"), "A again");
            browser.waitForState("saved", Duration.ofSeconds(10));
            assertEquals(3, stored(id).getInt("version"));

            browser.switchTo(tabB);
            browser.waitFor(Duration.ofSeconds(2), d -> browser.find("#conflict").isDisplayed());
            assertEquals("conflict", browser.state());
            assertTrue(browser.text("#conflict-theirs").contains("A again"));
            assertTrue(browser.text("#conflict-mine").contains("B's title"));
            browser.screenshot("conflict-dialog");
            browser.find("#conflict-overwrite").click();
            browser.waitForState("saved", Duration.ofSeconds(10));

            JsonPath after = stored(id);
            assertEquals(4, after.getInt("version"), "the resolution is exactly one write");
            assertEquals("B's title", after.getString("content.notes[0].title"));
            browser.switchTo(tabA);
            browser.waitFor(Duration.ofSeconds(2), d -> "B's title".equals(browser.value(".note[data-note-id=n1] .note-title")));
        }
    }

    @Test
    void twoBrowsersOfOneUserStayInStepThroughTheNoticeSocket() {
        String id = board("Two browsers");
        try (Browser laptop = Browser.as(ALICE); Browser desktop = Browser.as(ALICE)) {
            laptop.open(base, "/?session=" + id);
            desktop.open(base, "/?session=" + id + "&autosave=60000");
            laptop.waitFor(Duration.ofSeconds(10), d -> "Live".equals(laptop.text("#connection")));
            desktop.waitFor(Duration.ofSeconds(10), d -> "Live".equals(desktop.text("#connection")));

            type(laptop.find(".note[data-note-id=n1] .note-body"), "from the laptop");
            laptop.waitForState("saved", Duration.ofSeconds(10));
            desktop.waitFor(Duration.ofSeconds(2), d -> "from the laptop".equals(desktop.value(".note[data-note-id=n1] .note-body")));

            type(desktop.find(".note[data-note-id=n1] .note-title"), "Desktop title");
            type(laptop.find(".note[data-note-id=n1] .note-body"), "laptop again");
            laptop.waitForState("saved", Duration.ofSeconds(10));
            desktop.waitFor(Duration.ofSeconds(2), d -> desktop.find("#conflict").isDisplayed());
            assertEquals(3, stored(id).getInt("version"));
            desktop.find("#conflict-merge").click();
            desktop.waitForState("saved", Duration.ofSeconds(10));

            JsonPath after = stored(id);
            assertEquals(4, after.getInt("version"), "the merge is exactly one write");
            assertEquals("Desktop title", after.getString("content.notes[0].title"));
            laptop.waitFor(Duration.ofSeconds(2), d -> "Desktop title".equals(laptop.value(".note[data-note-id=n1] .note-title")));
        }
    }
}
