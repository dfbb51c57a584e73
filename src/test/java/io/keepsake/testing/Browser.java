package io.keepsake.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.TimeoutException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * A real headless Chromium (Debian's {@code chromium} with its {@code chromedriver}), one fresh
 * profile per instance, signed in as one of the built-in users either by an {@code Authorization:
 * Basic} header that the DevTools protocol adds to every request of its tabs ({@link #as}), or as
 * a person does, by the login form and its cookie ({@link #signedOut}, then {@link #signIn}).
 * Nothing is downloaded.
 */
public final class Browser implements AutoCloseable {

    public static final Path CHROMIUM = Path.of(System.getProperty("keepsake.chromium", "/usr/bin/chromium"));
    public static final Path CHROMEDRIVER = Path.of(System.getProperty("keepsake.chromedriver", "/usr/bin/chromedriver"));
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private final ChromeDriver driver;
    private final Path profile;
    /** The user of the Basic header; null when the browser signs in by the login form. */
    private final String user;

    private Browser(String user) {
        this.user = user;
        try {
            this.profile = Files.createTempDirectory("keepsake-chromium-" + (user == null ? "profile" : user));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-quic",
                "--user-data-dir=" + profile, "--window-size=1400,900",
                // Background tabs keep their timers: a test reads them one after the other.
                "--disable-background-timer-throttling", "--disable-renderer-backgrounding",
                "--disable-backgrounding-occluded-windows");
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
        this.driver = new ChromeDriver(service, options);
        addCredentials();
    }

    /** Skips the calling test (with the package to install) when this machine has no Chromium. */
    public static void assumeAvailable() {
        assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "Browser tests need Debian's chromium and chromium-driver: apt-get install -y chromium chromium-driver");
    }

    /** A new browser with a fresh profile, signed in as {@code user} (password {@code user-secret}). */
    public static Browser as(String user) {
        assumeAvailable();
        return new Browser(user);
    }

    /** A new browser with a fresh profile and nobody signed in: people sign in with {@link #signIn}. */
    public static Browser signedOut() {
        assumeAvailable();
        return new Browser(null);
    }

    /** Signs {@code user} in by the login form (its cookie, for every tab) and waits for the workbench it lands on. */
    public void signIn(URI base, String user) {
        driver.get(base.resolve("/login").toString());
        find("input[name=j_username]").sendKeys(user);
        find("input[name=j_password]").sendKeys(user + "-secret");
        find("button[type=submit]").click();
        waitFor(Duration.ofSeconds(20), d -> "true".equals(body().getDomAttribute("data-ready"))
                && !findAll("#user").isEmpty() && user.equals(text("#user")));
    }

    /** Signs out with the page's Sign out button and waits for the landing page, signed out. */
    public void signOut() {
        find("#sign-out button").click();
        waitFor(Duration.ofSeconds(20), d -> findAll("#sign-out").isEmpty() && !findAll("#sign-in").isEmpty()
                && "true".equals(body().getDomAttribute("data-ready")));
    }

    /** Requests of the current tab to URLs matching these patterns ({@code *} for anything) fail as unreachable; none for none. */
    public void block(String... patterns) {
        driver.executeCdpCommand("Network.setBlockedURLs", Map.of("urls", List.of(patterns)));
    }

    public WebDriver driver() {
        return driver;
    }

    /** Every request of the current tab carries the user's credentials, if it has any (set again in each new tab). */
    private void addCredentials() {
        driver.executeCdpCommand("Network.enable", Map.of());
        if (user == null) {
            return;
        }
        String token = Base64.getEncoder().encodeToString((user + ":" + user + "-secret").getBytes(StandardCharsets.UTF_8));
        driver.executeCdpCommand("Network.setExtraHTTPHeaders", Map.of("headers", Map.of("Authorization", "Basic " + token)));
    }

    /** Opens a new tab of this browser (same profile) and switches to it. Returns its handle. */
    public String newTab() {
        driver.switchTo().newWindow(WindowType.TAB);
        addCredentials();
        return driver.getWindowHandle();
    }

    public String tab() {
        return driver.getWindowHandle();
    }

    public void switchTo(String tab) {
        driver.switchTo().window(tab);
    }

    /** Opens the workbench page at {@code base + path} and waits until it has loaded its session or snapshot. */
    public void open(URI base, String path) {
        driver.get(base.resolve(path).toString());
        waitFor(Duration.ofSeconds(20), d -> "true".equals(body().getDomAttribute("data-ready")));
    }

    public WebElement body() {
        return driver.findElement(By.tagName("body"));
    }

    public WebElement find(String css) {
        return driver.findElement(By.cssSelector(css));
    }

    public List<WebElement> findAll(String css) {
        return driver.findElements(By.cssSelector(css));
    }

    /** The save state the page shows (saved, dirty, saving, offline, conflict, error, readonly). */
    public String state() {
        return find("#state").getDomAttribute("data-state");
    }

    public String text(String css) {
        return find(css).getText();
    }

    /** The value of an input or text area. */
    public String value(String css) {
        return find(css).getDomProperty("value");
    }

    public void waitForState(String state, Duration timeout) {
        waitFor(timeout, d -> state.equals(state()));
    }

    /**
     * Waits until the page's service worker controls it, so that it opens offline (a cold service may
     * take seconds). A worker whose install did not finish (one of its fetches cut off while the page
     * that registered it navigated on, say) is installed again at the page's next load, as at a
     * person's next visit: the page is loaded once more if it is not ready in 20 s.
     */
    public void waitUntilOfflineReady() {
        try {
            waitFor(Duration.ofSeconds(20), d -> offlineReady());
        } catch (TimeoutException notYet) {
            System.err.println("The page's service worker was not ready in 20 s; loading the page again");
            driver.navigate().refresh();
            waitFor(Duration.ofSeconds(30), d -> offlineReady());
        }
    }

    private boolean offlineReady() {
        return "true".equals(body().getDomAttribute("data-offline-ready"));
    }

    /** How many writes the page shows queued. */
    public int queued() {
        return Integer.parseInt(text("#queue-count"));
    }

    public <T> T waitFor(Duration timeout, Function<WebDriver, T> condition) {
        // The page re-renders what another tab or device saved: an element read a moment ago may be gone.
        return new WebDriverWait(driver, timeout, Duration.ofMillis(50))
                .ignoring(StaleElementReferenceException.class).until(d -> {
                    try {
                        return condition.apply(d);
                    } catch (WebDriverException e) {
                        // A navigation replaced the document under an element just found: Chromium says so
                        // in an "unknown error", not as a stale element. The next look finds the new one.
                        if (e.getMessage() != null && e.getMessage().contains("does not belong to the document")) {
                            return null;
                        }
                        throw e;
                    }
                });
    }

    public Object script(String script, Object... args) {
        return ((JavascriptExecutor) driver).executeScript(script, args);
    }

    /** Plays a lost (or regained) network in the current tab, as DevTools' "Offline" does. */
    public void offline(boolean offline) {
        driver.executeCdpCommand("Network.emulateNetworkConditions", Map.of("offline", offline, "latency", 0,
                "downloadThroughput", -1, "uploadThroughput", -1));
    }

    /** Kills the current tab's renderer, as a crash does: no unload handler runs. */
    public void crashTab() {
        try {
            driver.executeCdpCommand("Page.crash", Map.of());
        } catch (RuntimeException expected) {
            // the tab is gone before it can answer
        }
    }

    /** Writes a screenshot of the current tab to target/screenshots/{name}.png. */
    public Path screenshot(String name) {
        try {
            Files.createDirectories(SCREENSHOTS);
            Path file = SCREENSHOTS.resolve(name + ".png");
            Files.move(driver.getScreenshotAs(OutputType.FILE).toPath(), file, StandardCopyOption.REPLACE_EXISTING);
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() {
        try {
            driver.quit();
        } finally {
            try (Stream<Path> files = Files.walk(profile)) {
                files.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
            } catch (IOException ignored) {
                // a temporary profile left behind is harmless
            }
        }
    }
}
