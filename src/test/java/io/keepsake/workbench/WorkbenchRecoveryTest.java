package io.keepsake.workbench;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.workbench.WorkbenchTabsTest.board;
import static io.keepsake.workbench.WorkbenchTabsTest.stored;
import static io.keepsake.workbench.WorkbenchTabsTest.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.Arrays;
import java.util.HexFormat;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import io.keepsake.testing.Browser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/** Crash recovery: what a killed tab had not saved is offered back by the next one. */
@QuarkusTest
class WorkbenchRecoveryTest {

    @TestHTTPResource("/")
    URI base;

    @BeforeEach
    void needsChromium() {
        Browser.assumeAvailable();
    }

    /** The user's own IndexedDB database: the client names it by the first 16 bytes of the user id's SHA-256. */
    static String database(String user) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(user.getBytes(StandardCharsets.UTF_8));
            return "keepsake-" + HexFormat.of().formatHex(Arrays.copyOf(digest, 16));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void unsavedEditsOfAKilledTabAreOfferedBackAndRestored() {
        String id = board("Recovery board");
        try (Browser browser = Browser.as(ALICE)) {
            String spare = browser.tab(); // keeps the browser open while the other tab dies
            browser.newTab();
            browser.open(base, "/?session=" + id + "&autosave=60000");
            type(browser.find(".note[data-note-id=n1] .note-body"), "typed, never saved");
            assertEquals("dirty", browser.state());
            // The draft is in IndexedDB once the page says so; give its write a moment to commit.
            browser.waitFor(Duration.ofSeconds(5), d -> Boolean.TRUE.equals(browser.script(
                    "return new Promise(r => { const q = indexedDB.open(arguments[0]); q.onsuccess = () => {"
                            + " const g = q.result.transaction('drafts').objectStore('drafts').getAll();"
                            + " g.onsuccess = () => r(g.result.some(d => JSON.stringify(d.fields).includes('never saved'))); }; })",
                    database(ALICE))));
            browser.crashTab();
            browser.switchTo(spare);
            assertEquals(1, stored(id).getInt("version"), "nothing was saved before the crash");

            browser.open(base, "/?session=" + id);
            browser.waitFor(Duration.ofSeconds(5), d -> browser.find("#recovery").isDisplayed());
            assertEquals("first draft", browser.value(".note[data-note-id=n1] .note-body"));
            browser.screenshot("crash-recovery");
            browser.find("#recovery-restore").click();
            browser.waitFor(Duration.ofSeconds(5),
                    d -> "typed, never saved".equals(browser.value(".note[data-note-id=n1] .note-body")));
            browser.waitForState("saved", Duration.ofSeconds(10));
            assertFalse(browser.find("#recovery").isDisplayed());
        }
        JsonPath after = stored(id);
        assertEquals(2, after.getInt("version"));
        assertEquals("typed, never saved", after.getString("content.notes[0].body"));
    }
}
