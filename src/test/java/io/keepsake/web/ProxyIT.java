package io.keepsake.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.testing.Nginx;
import io.keepsake.testing.OriginalBackEnd;
import io.keepsake.testing.SelfSignedCertificate;
import io.keepsake.testing.ServiceProcess;
import io.keepsake.testing.SocketClient;
import io.restassured.path.json.JsonPath;

/**
 * The original workbench behind deploy/nginx/keepsake.conf, as an operator runs it: real nginx with
 * that very file (its ports, upstream addresses, certificate and front-end directory replaced; TLS
 * with a throwaway certificate) in front of the packaged service and a stand-in for the original back
 * end. Keepsake trusts forwarded headers from the proxy's address only (nginx connects to it from
 * 127.0.0.2). Browsers here send what a page's {@code fetch} sends on writes, an {@code Origin}, and
 * no {@code Sec-Fetch-Site}, so that Keepsake's cross-site check must see the public origin.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class ProxyIT {

    private static final String CONF = "deploy/nginx/keepsake.conf";
    private static final Duration TIMEOUT = Duration.ofSeconds(20);
    /** Who the original back end signs in. */
    private static final String USER = OriginalBackEnd.USERS.get(OriginalBackEnd.LOGIN);

    @TempDir
    static Path dir;

    private static OriginalBackEnd backend;
    private static ServiceProcess service;
    private static Nginx nginx;
    private static HttpClient http;
    private static SSLContext tls;
    /** The proxy's public origin (TLS), and its plain-HTTP port. */
    private static URI site;
    private static int plainPort;

    @BeforeAll
    static void start() throws Exception {
        assumeTrue(Nginx.onPath(), "needs nginx on the PATH (Debian: apt-get install nginx)");
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        long started = System.nanoTime();
        backend = OriginalBackEnd.startOn("127.0.0.1");
        service = ServiceProcess.start(dir.resolve("data"), Path.of("target", "proxy-it.log"), List.of("-Xmx256m"),
                "QUARKUS_HTTP_PROXY_PROXY_ADDRESS_FORWARDING", "true",
                "QUARKUS_HTTP_PROXY_ALLOW_X_FORWARDED", "true",
                "QUARKUS_HTTP_PROXY_TRUSTED_PROXIES", "127.0.0.2",
                "KEEPSAKE_SIGN_IN_ORIGINAL_USER_URL", "http://127.0.0.1:" + backend.port() + "/api/logged_in_user");
        SelfSignedCertificate certificate = SelfSignedCertificate.create(dir);
        Path frontEnd = Files.createDirectories(dir.resolve("dist"));
        Files.writeString(frontEnd.resolve("index.html"), "<html>the workbench</html>");
        Files.writeString(Files.createDirectories(frontEnd.resolve("assets")).resolve("app-3f2a.js"), "run()");
        int tlsPort = ServiceProcess.freePort();
        plainPort = ServiceProcess.freePort();
        service.awaitReady();

        String conf = Files.readString(Path.of(CONF));
        conf = replace(conf, "server 127.0.0.1:8080;", "server " + service.base.getAuthority() + ";");
        conf = replace(conf, "server 127.0.0.1:5000;", "server 127.0.0.1:" + backend.port() + ";");
        conf = replace(conf, "/etc/ssl/certs/workbench.example.com.pem", certificate.certificate.toString());
        conf = replace(conf, "/etc/ssl/private/workbench.example.com.key", certificate.key.toString());
        conf = replace(conf, "root /srv/webviz/dist;", "root " + frontEnd + ";");
        conf = replace(conf, "listen 443 ssl http2;", "listen 127.0.0.1:" + tlsPort + " ssl http2;");
        conf = replace(conf, "listen 80;", "listen 127.0.0.1:" + plainPort + ";");
        conf = replace(conf, "listen [::]:443 ssl http2;", "");
        conf = replace(conf, "listen [::]:80;", "");
        nginx = Nginx.start(dir, "proxy_bind 127.0.0.2;\n" + conf, Path.of("target", "proxy-it-nginx.log"), tlsPort);

        tls = certificate.trustingIt();
        http = HttpClient.newBuilder().sslContext(tls).connectTimeout(Duration.ofSeconds(5))
                .followRedirects(HttpClient.Redirect.NEVER).build();
        site = URI.create("https://127.0.0.1:" + tlsPort);
        System.out.printf("ProxyIT: stand-in, service, certificate and nginx up in %d ms%n",
                Duration.ofNanos(System.nanoTime() - started).toMillis());
    }

    @AfterAll
    static void stop() throws Exception {
        if (nginx != null) {
            nginx.close();
        }
        if (service != null) {
            service.close();
        }
        if (backend != null) {
            backend.close();
        }
    }

    /** Replaces what the configuration must contain: a change to the file that drops it fails here. */
    private static String replace(String conf, String what, String with) {
        assertTrue(conf.contains(what), CONF + " no longer contains " + what);
        return conf.replace(what, with);
    }

    @Test
    void theWorkbenchSignedInWithTheOriginalsCookieKeepsItsSessionsAndSnapshotsInKeepsake() throws Exception {
        Browser browser = new Browser();
        HttpResponse<String> login = browser.send("GET", "/api/login", null);
        assertEquals(307, login.statusCode(), "the original back end signs the browser in");
        assertEquals(OriginalBackEnd.LOGIN, browser.cookies.get("session"));
        assertEquals(USER, json(browser.send("GET", "/api/logged_in_user", null), 200).getString("user_id"));

        String title = "Proxied " + UUID.randomUUID().toString().substring(0, 8);
        HttpResponse<String> created = browser.send("POST", "/api/persistence/sessions",
                "{\"title\":\"" + title + "\",\"description\":null,\"content\":\"{\\\"zoom\\\":1}\"}");
        assertEquals(200, created.statusCode(), created.body());
        String id = created.body().replace("\"", "");
        JsonPath opened = json(browser.send("GET", "/api/persistence/sessions/" + id, null), 200);
        assertEquals(USER, opened.getString("metadata.ownerId"));
        assertEquals("{\"zoom\":1}", opened.getString("content"));

        // A conditional save: the tag from the native API's metadata, both through the proxy.
        String tag = browser.send("GET", "/persistence/sessions/metadata/" + id, null).headers().firstValue("ETag").orElseThrow();
        String save = "{\"title\":\"" + title + "\",\"description\":null,\"content\":\"{\\\"zoom\\\":2}\"}";
        HttpResponse<String> saved = browser.send("PUT", "/api/persistence/sessions/" + id, save, "If-Match", tag);
        assertEquals(2, json(saved, 200).getInt("metadata.version"));
        assertEquals(412, browser.send("PUT", "/api/persistence/sessions/" + id, save, "If-Match", tag).statusCode(),
                "If-Match reaches Keepsake: a stale tag is refused");

        JsonPath listed = json(browser.send("GET", "/api/persistence/sessions?sort_by=metadata.updated_at"
                + "&sort_direction=desc&page_size=5&cursor=&filter_title=" + encode(title), null), 200);
        assertEquals(List.of(id), listed.getList("items.id"));

        HttpResponse<String> snapshotted = browser.send("POST", "/api/persistence/snapshots",
                "{\"title\":\"" + title + "\",\"description\":null,\"content\":\"{\\\"zoom\\\":2}\"}");
        assertEquals(200, snapshotted.statusCode(), snapshotted.body());
        String snapshot = snapshotted.body().replace("\"", "");
        assertEquals("{\"zoom\":2}", json(browser.send("GET", "/api/persistence/snapshots/" + snapshot, null), 200)
                .getString("content"));
        JsonPath visited = json(browser.send("GET", "/api/persistence/snapshot_access_logs?sort_by=last_visited_at"
                + "&sort_direction=desc&page_size=5&cursor=&filter_title=" + encode(title), null), 200);
        assertEquals(List.of(snapshot), visited.getList("items.snapshotId"));

        assertEquals(200, browser.send("DELETE", "/api/persistence/snapshots/" + snapshot, null).statusCode());
        assertEquals(200, browser.send("DELETE", "/api/persistence/sessions/" + id, null).statusCode());
        assertEquals(404, browser.send("GET", "/api/persistence/sessions/" + id, null).statusCode());
    }

    @Test
    void aCallerSignedInNowhereGets401() throws Exception {
        Browser anonymous = new Browser();
        assertEquals(401, anonymous.send("GET", "/api/persistence/sessions", null).statusCode());
        assertEquals(401, anonymous.send("GET", "/persistence/sessions", null).statusCode());
        // The original's cookie of nobody (its back end answers 400 for it) signs nobody in.
        anonymous.cookies.put("session", "not-a-session");
        assertEquals(401, anonymous.send("GET", "/api/persistence/sessions", null).statusCode());
        assertEquals(401, anonymous.send("POST", "/api/persistence/sessions",
                "{\"title\":\"t\",\"description\":null,\"content\":\"{}\"}").statusCode());
    }

    @Test
    void theRestOfApiReachesTheOriginalBackEndWithApiStrippedAndTheClientsAddress() throws Exception {
        JsonPath echoed = json(new Browser().send("GET", "/api/other", null, "X-Forwarded-For", "203.0.113.9"), 200);
        assertEquals("/other", echoed.getString("path"));
        assertEquals("https", echoed.getString("forwardedProto"));
        assertEquals("127.0.0.1", echoed.getString("forwardedFor"), "the proxy's view of the client, not what it claimed");
        assertEquals(400, new Browser().send("GET", "/api/logged_in_user", null).statusCode(), "the original's own answer");
    }

    @Test
    void theFrontEndIsServedWithItsRoutesFallingBackToIndexHtmlAndPlainHttpIsSentToHttps() throws Exception {
        Browser browser = new Browser();
        HttpResponse<String> index = browser.send("GET", "/", null);
        assertEquals("<html>the workbench</html>", index.body());
        assertTrue(index.headers().firstValue("Strict-Transport-Security").isPresent());
        assertEquals(index.body(), browser.send("GET", "/snapshot/AbCdEfGh1234", null).body(), "the router's page");
        HttpResponse<String> asset = browser.send("GET", "/assets/app-3f2a.js", null);
        assertEquals("run()", asset.body());
        assertTrue(asset.headers().firstValue("Cache-Control").orElse("").contains("max-age=315360000"));
        assertEquals(404, browser.send("GET", "/assets/app-0000.js", null).statusCode(), "a missing asset is not the page");

        HttpResponse<String> plain = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + plainPort + "/snapshot/AbCdEfGh1234")).timeout(TIMEOUT).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(301, plain.statusCode());
        assertEquals("https://127.0.0.1/snapshot/AbCdEfGh1234", plain.headers().firstValue("Location").orElseThrow());
    }

    @Test
    void aKeepsakeSignInThroughTheProxySetsASecureCookieAndRedirectsToTheHttpsSite() throws Exception {
        Browser browser = new Browser();
        HttpResponse<String> signedIn = browser.signIn("alice");
        assertEquals(302, signedIn.statusCode());
        assertTrue(signedIn.headers().firstValue("Location").orElseThrow().startsWith(site + "/"),
                () -> "to the public origin: " + signedIn.headers().map());
        String cookie = setCookie(signedIn, "quarkus-credential");
        assertTrue(cookie.toLowerCase().contains("; secure"), cookie);
        assertEquals("alice", json(browser.send("GET", "/persistence/me", null), 200).getString("user"));

        // The same claim made directly, not from the proxy's address, is not believed.
        HttpResponse<String> direct = http.send(HttpRequest.newBuilder(service.base.resolve("/j_security_check"))
                .timeout(TIMEOUT).header("Content-Type", "application/x-www-form-urlencoded")
                .header("X-Forwarded-Proto", "https").header("X-Forwarded-Port", "443")
                .POST(HttpRequest.BodyPublishers.ofString("j_username=alice&j_password=alice-secret")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(302, direct.statusCode());
        assertFalse(setCookie(direct, "quarkus-credential").toLowerCase().contains("; secure"));
        assertTrue(direct.headers().firstValue("Location").orElseThrow().startsWith("http://"));
    }

    @Test
    void theNoticeSocketWorksThroughTheProxy() throws Exception {
        Browser browser = new Browser();
        assertEquals(302, browser.signIn("bob").statusCode());
        HttpResponse<String> ticket = browser.send("POST", "/persistence/notices/tickets", null);
        String value = json(ticket, 201).getString("ticket");
        try (SocketClient socket = SocketClient.open(http, URI.create(site + "/"),
                "persistence/notices/ws?ticket=" + encode(value))) {
            assertEquals("ready", socket.next().getString("type"));
            HttpResponse<String> created = browser.send("POST", "/api/persistence/sessions",
                    "{\"title\":\"heard\",\"description\":null,\"content\":\"{}\"}");
            assertEquals(200, created.statusCode(), created.body());
            JsonPath notice = socket.next("session.updated");
            assertNotNull(notice, "a notice of the write, through the proxy");
            assertEquals(created.body().replace("\"", ""), notice.getString("resourceId"));
        }
    }

    @Test
    void theLargestContentKeepsakeTakesPassesTheProxyAndABodyOverItsLimitIsRefused() throws Exception {
        Browser browser = new Browser();
        assertEquals(302, browser.signIn("alice").statusCode());
        // 1.5 MB of JSON text full of quotes: its body, the text escaped as a JSON string, is over 2 MB.
        String content = "[" + "\"ab\",".repeat(299_999) + "\"ab\"]";
        String body = "{\"title\":\"large\",\"description\":null,\"content\":\""
                + content.replace("\"", "\\\"") + "\"}";
        assertTrue(body.length() > 2_000_000);
        HttpResponse<String> created = browser.send("POST", "/api/persistence/sessions", body);
        assertEquals(200, created.statusCode(), created.body());

        // Over Keepsake's limit, nginx answers 413 on the declared length, before any of the body.
        try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", site.getPort())) {
            socket.setSoTimeout((int) TIMEOUT.toMillis());
            socket.getOutputStream().write(("POST /api/persistence/sessions HTTP/1.1\r\nHost: " + site.getAuthority()
                    + "\r\nContent-Type: application/json\r\nContent-Length: " + ((4 << 20) + 1) + "\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            String status = new BufferedReader(new InputStreamReader(socket.getInputStream(), StandardCharsets.US_ASCII)).readLine();
            assertEquals("HTTP/1.1 413 Request Entity Too Large", status);
        }
    }

    private static JsonPath json(HttpResponse<String> response, int status) {
        assertEquals(status, response.statusCode(), response.body());
        return JsonPath.from(response.body());
    }

    private static String setCookie(HttpResponse<String> response, String name) {
        return response.headers().allValues("Set-Cookie").stream().filter(c -> c.startsWith(name + "=")).findFirst()
                .orElseThrow(() -> new AssertionError("no " + name + " cookie: " + response.headers().map()));
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A browser on the public site: it keeps the cookies it is given and sends its origin on writes. */
    private static final class Browser {

        final Map<String, String> cookies = new LinkedHashMap<>();

        HttpResponse<String> signIn(String user) throws Exception {
            return send("POST", "/j_security_check", "j_username=" + user + "&j_password=" + user + "-secret",
                    "Content-Type", "application/x-www-form-urlencoded");
        }

        HttpResponse<String> send(String method, String path, String body, String... headers) throws Exception {
            HttpRequest.Builder request = HttpRequest.newBuilder(site.resolve(path)).timeout(TIMEOUT)
                    .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
            if (!method.equals("GET")) {
                request.header("Origin", site.toString());
            }
            if (body != null && !List.of(headers).contains("Content-Type")) {
                request.header("Content-Type", "application/json");
            }
            if (!cookies.isEmpty()) {
                request.header("Cookie", String.join("; ", cookies.entrySet().stream().map(c -> c.getKey() + "=" + c.getValue()).toList()));
            }
            for (int i = 0; i + 1 < headers.length; i += 2) {
                request.header(headers[i], headers[i + 1]);
            }
            HttpResponse<String> response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
            for (String set : response.headers().allValues("Set-Cookie")) {
                String pair = set.split(";", 2)[0];
                int eq = pair.indexOf('=');
                String value = pair.substring(eq + 1);
                if (value.isEmpty() || set.toLowerCase().contains("max-age=0")) {
                    cookies.remove(pair.substring(0, eq));
                } else {
                    cookies.put(pair.substring(0, eq), value);
                }
            }
            return response;
        }
    }
}
