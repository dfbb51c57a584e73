package io.keepsake.session;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.testing.ServiceProcess;
import io.keepsake.testing.SocketClient;
import io.restassured.path.json.JsonPath;

/**
 * Polls and reads answered from memory are never wrong: three instances on one store (the first runs
 * the embedded store; the third's notice feed reads only once an hour, and the third would trust it
 * for a minute after a read, so that whether it answers from memory depends on the feed's reads
 * alone, not on how fast the test runs). A poll on the first after a write through the second, once
 * the first has heard of it, gets the new tag (and a read the new content); a poll or read on the
 * third right after such a write, its feed being behind, reads the store and gets the new tag and
 * content as well.
 */
class TwoInstancesIT {

    private static final String AUTH = ServiceProcess.basicAuth("alice");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void aPollAnsweredFromMemoryNeverHidesAnotherInstancesWrite() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        int storePort;
        try (ServerSocket socket = new ServerSocket(0)) {
            storePort = socket.getLocalPort();
        }
        String store = "mongodb://127.0.0.1:" + storePort;
        Path log = Path.of("target", "two-instances-it.log");
        try (ServiceProcess first = ServiceProcess.start(data.resolve("first"), log, List.of("-Xmx256m"),
                "KEEPSAKE_STORE_PORT", Integer.toString(storePort));
                ServiceProcess second = ServiceProcess.start(data.resolve("second"), log, List.of("-Xmx256m"),
                        "KEEPSAKE_MONGODB_URI", store, "QUARKUS_CONFIG_PROFILE_PARENT", "embedded");
                ServiceProcess behind = ServiceProcess.start(data.resolve("behind"), log, List.of("-Xmx256m"),
                        "KEEPSAKE_MONGODB_URI", store, "QUARKUS_CONFIG_PROFILE_PARENT", "embedded",
                        "KEEPSAKE_NOTICES_TAIL_EVERY", "1h", "KEEPSAKE_NOTICES_TAG_CACHE_MAX_LAG", "1m")) {
            first.awaitReady();
            second.awaitReady();
            behind.awaitReady();

            HttpResponse<String> created = send(first.base, "POST", "/persistence/sessions",
                    "{\"title\":\"shared\",\"content\":{\"v\":1}}", null, null);
            assertEquals(201, created.statusCode(), created.body());
            String id = JsonPath.from(created.body()).getString("id");
            String metadata = "/persistence/sessions/metadata/" + id;
            String v1 = created.headers().firstValue("ETag").orElseThrow();
            // Both instances now know v1: the second poll of each is a 304 from memory.
            String full = "/persistence/sessions/" + id;
            for (URI base : List.of(first.base, behind.base)) {
                assertEquals(200, send(base, "GET", metadata, null, null, null).statusCode());
                assertEquals(304, send(base, "GET", metadata, null, null, v1).statusCode());
                // And each now holds the session's JSON: reads of it are answered from memory.
                assertEquals(1, JsonPath.from(send(base, "GET", full, null, null, null).body()).getInt("content.v"));
                assertEquals(1, JsonPath.from(send(base, "GET", full, null, null, null).body()).getInt("content.v"));
            }

            String ticket = JsonPath.from(send(first.base, "POST", "/persistence/notices/tickets", null, null, null).body())
                    .getString("ticket");
            try (SocketClient listening = SocketClient.open(URI.create(first.base + "/"),
                    "persistence/notices/ws?ticket=" + ticket)) {
                assertEquals("ready", listening.next().getString("type"));
                HttpResponse<String> written = send(second.base, "PUT", "/persistence/sessions/" + id,
                        "{\"title\":\"shared\",\"content\":{\"v\":2}}", v1, null);
                assertEquals(200, written.statusCode(), written.body());
                String v2 = written.headers().firstValue("ETag").orElseThrow();

                // The instance whose feed is an hour behind does not trust its memory: it reads the store.
                HttpResponse<String> fromBehind = send(behind.base, "GET", metadata, null, null, v1);
                assertEquals(200, fromBehind.statusCode(), "a feed that is behind is not trusted");
                assertEquals(v2, fromBehind.headers().firstValue("ETag").orElseThrow());
                HttpResponse<String> readBehind = send(behind.base, "GET", full, null, null, null);
                assertEquals(v2, readBehind.headers().firstValue("ETag").orElseThrow());
                assertEquals(2, JsonPath.from(readBehind.body()).getInt("content.v"), "not the JSON it held");

                // The first instance hears the write, and from then on its memory has the new tag.
                JsonPath heard = listening.next("session.updated");
                assertEquals(2, heard.getInt("version"));
                HttpResponse<String> fromFirst = send(first.base, "GET", metadata, null, null, v1);
                assertEquals(200, fromFirst.statusCode(), "the old tag is not current any more");
                assertEquals(v2, fromFirst.headers().firstValue("ETag").orElseThrow());
                assertNotEquals(v1, v2);
                assertEquals(304, send(first.base, "GET", metadata, null, null, v2).statusCode());
                HttpResponse<String> readFirst = send(first.base, "GET", full, null, null, null);
                assertEquals(v2, readFirst.headers().firstValue("ETag").orElseThrow());
                assertEquals(2, JsonPath.from(readFirst.body()).getInt("content.v"), "not the JSON it held");
            }
        }
    }

    private HttpResponse<String> send(URI base, String method, String path, String body, String ifMatch,
            String ifNoneMatch) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(10))
                .header("Authorization", AUTH)
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        if (ifNoneMatch != null) {
            request.header("If-None-Match", ifNoneMatch);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
