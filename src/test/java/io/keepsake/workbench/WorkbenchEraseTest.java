package io.keepsake.workbench;

import static io.keepsake.testing.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Api;
import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** "Delete all my data": a confirmation that names what goes; cancelled, nothing goes; confirmed, everything does. */
@QuarkusTest
class WorkbenchEraseTest {

    private static final String USER = "departing";

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    @Test
    void everythingGoesOnlyOnceTheUserConfirms() {
        String session = Api.newSession(USER, "leaving soon", Map.of("notes", List.of()));
        Api.newSnapshot(USER, "shared before leaving", Map.of("n", 1));
        try (Browser browser = Browser.signedOut()) {
            browser.signIn(base, USER);
            // The page keeps its layout as a state of the user's: a session of theirs like any other.
            browser.waitFor(Duration.ofSeconds(10), d -> "kept".equals(browser.find("aside.panels").getDomAttribute("data-layout")));
            browser.find("#erase-all").click();
            browser.waitFor(Duration.ofSeconds(5), d -> browser.find("#erase-dialog").isDisplayed());
            String named = browser.text("#erase-dialog");
            assertTrue(named.contains("every session") && named.contains("snapshot") && named.contains("visits"), named);
            browser.find("#erase-cancel").click();
            browser.waitFor(Duration.ofSeconds(5), d -> !browser.find("#erase-dialog").isDisplayed());
            as(USER).get("/sessions/" + session).then().statusCode(200);
            as(USER).get("/me/erasure").then().statusCode(404);

            browser.find("#erase-all").click();
            browser.waitFor(Duration.ofSeconds(5), d -> browser.find("#erase-dialog").isDisplayed());
            browser.find("#erase-confirm").click();
            browser.waitFor(Duration.ofSeconds(30), d -> browser.text("#erase-status").startsWith("All your data was deleted"));
            assertEquals("All your data was deleted: 2 sessions, 0 earlier versions, 1 snapshots.", browser.text("#erase-status"));
            browser.screenshot("erased");
        }
        as(USER).get("/sessions/" + session).then().statusCode(404);
        assertEquals("done", as(USER).get("/me/erasure").then().extract().path("status"));
    }
}
