package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.workbench.WorkbenchTabsTest.board;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** The page keeps its own layout (collapsed side panels) as a state under the user's key {@code workbench:layout}. */
@QuarkusTest
class WorkbenchLayoutTest {

    private static final String LAYOUT = "/states/workbench:layout";

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromiumAndNoLayoutYet() {
        Browser.assumeAvailable();
        forgetLayout();
    }

    @AfterEach
    void forgetLayout() {
        as(ALICE).delete(LAYOUT);
    }

    private static boolean collapsed(Browser browser, String panel) {
        return browser.find("#" + panel).getDomAttribute("class") != null
                && browser.find("#" + panel).getDomAttribute("class").contains("collapsed");
    }

    private static void loaded(Browser browser) {
        browser.waitFor(Duration.ofSeconds(10), d -> "kept".equals(browser.find("aside.panels").getDomAttribute("data-layout")));
    }

    @Test
    void aCollapsedPanelStaysCollapsedAfterAReloadAndInTheOtherTabWithoutBeingListedAsABoard() {
        String id = board("Layout board");
        try (Browser browser = Browser.as(ALICE)) {
            browser.open(base, "/?session=" + id);
            loaded(browser);
            String tabA = browser.tab();
            JsonPath made = as(ALICE).get(LAYOUT).then().statusCode(200).extract().jsonPath();
            assertEquals(List.of(), made.getList("content.collapsed"), "made on first use, nothing collapsed");
            String tabB = browser.newTab();
            browser.open(base, "/?session=" + id);
            loaded(browser);
            assertFalse(collapsed(browser, "share-panel"));
            assertTrue(browser.findAll("#history-panel button.collapse").isEmpty(), "History folds as it did");

            browser.switchTo(tabA);
            browser.find("#share-panel button.collapse").click();
            assertTrue(collapsed(browser, "share-panel"));
            assertFalse(browser.find("#share").isDisplayed(), "its contents are hidden");
            browser.waitFor(Duration.ofSeconds(10),
                    d -> as(ALICE).get(LAYOUT).path("content.collapsed").equals(List.of("share-panel")));

            browser.switchTo(tabB);
            browser.waitFor(Duration.ofSeconds(5), d -> collapsed(browser, "share-panel"));
            browser.driver().navigate().refresh();
            browser.waitFor(Duration.ofSeconds(20), d -> "true".equals(browser.body().getDomAttribute("data-ready")));
            loaded(browser);
            assertTrue(collapsed(browser, "share-panel"), "kept over a reload");
            assertFalse(collapsed(browser, "queue-panel"));
            assertFalse(browser.text("#session-list").contains("Workbench layout"), "the layout is not a board");
            browser.screenshot("layout-collapsed");
        }
    }
}
