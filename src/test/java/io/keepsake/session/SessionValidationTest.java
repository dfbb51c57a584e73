package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.newSession;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThan;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.junit.jupiter.api.Test;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;

/** Bad input gets a problem response with the right status, and nothing is stored. */
@QuarkusTest
class SessionValidationTest {

    @ConfigProperty(name = "quarkus.http.test-port")
    int port;

    private static long count() {
        return ((Number) as(ALICE).queryParam("page_size", 100).queryParam("filter_title", "validation-probe")
                .get("/sessions").path("items.size()")).longValue();
    }

    private static void refused(String body, int status, String detail) {
        as(ALICE).contentType(ContentType.JSON).body(body).post("/sessions").then()
                .statusCode(status)
                .contentType("application/problem+json")
                .body("status", equalTo(status))
                .body("detail", containsString(detail));
    }

    @Test
    void fieldRulesNameTheField() {
        refused("{\"title\":\"" + "t".repeat(51) + "\",\"content\":1}", 400, "title must be 1 to 50 characters");
        refused("{\"title\":\"   \",\"content\":1}", 400, "title must be 1 to 50");
        refused("{\"content\":1}", 400, "title is required");
        refused("{\"title\":7,\"content\":1}", 400, "title must be a string");
        refused("{\"title\":\"validation-probe\",\"description\":\"" + "d".repeat(251) + "\",\"content\":1}", 400,
                "description must be at most 250 characters");
        refused("{\"title\":\"validation-probe\"}", 400, "content is required");
        refused("{\"title\":\"validation-probe\",\"content\":1,\"owner\":\"bob\"}", 400, "Unknown field(s): owner");
        as(ALICE).contentType(ContentType.JSON).body("{\"title\":\"" + "t".repeat(51) + "\",\"content\":1}")
                .post("/sessions").then().body("field", equalTo("title"));
        assertEquals(0, count());
    }

    @Test
    void fiftyCharactersAreCountedAsCharactersNotBytes() {
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "é".repeat(50), "content", 1)).post("/sessions")
                .then().statusCode(201);
    }

    @Test
    void malformedOrUnrepresentableJsonIs400() {
        refused("{\"title\":\"validation-probe\",", 400, "Malformed JSON");
        refused("[1,2]", 400, "must be a JSON object");
        refused("{\"title\":\"validation-probe\",\"content\":1} trailing", 400, "Malformed JSON");
        refused("{\"title\":\"validation-probe\",\"content\":{\"a\":1,\"a\":2}}", 400, "Malformed JSON: Duplicate field 'a'");
        refused("{\"title\":\"validation-probe\",\"content\":\"\\ud800\"}", 400, "unpaired UTF-16 surrogate");
        refused("{\"title\":\"validation-probe\",\"content\":1e400}", 400, "must be finite");
        refused("{\"title\":\"validation-probe \\ud800\",\"content\":1}", 400, "title contains an unpaired UTF-16 surrogate");
        refused("{\"title\":\"validation-probe\",\"description\":\"\\udfff\",\"content\":1}", 400,
                "description contains an unpaired UTF-16 surrogate");
        refused("{\"title\":\"validation-probe\",\"content\":" + "9".repeat(1500) + "}", 400, "parser limit");
        refused("{\"title\":\"validation-probe\",\"content\":NaN}", 400, "Malformed JSON");
        as(ALICE).contentType(ContentType.JSON).post("/sessions").then().statusCode(400)
                .contentType("application/problem+json");
        assertEquals(0, count());
    }

    @Test
    void deepNestingIsRefusedNotOverflowed() {
        String bomb = "[".repeat(100_000) + "]".repeat(100_000);
        refused("{\"title\":\"validation-probe\",\"content\":" + bomb + "}", 400, "JSON nesting deeper than 200 levels");
        String deepButFine = "[".repeat(150) + "]".repeat(150);
        as(ALICE).contentType(ContentType.JSON).body("{\"title\":\"deep\",\"content\":" + deepButFine + "}")
                .post("/sessions").then().statusCode(201);
    }

    @Test
    void wrongMediaTypeIs415() {
        as(ALICE).contentType(ContentType.TEXT).body("{\"title\":\"validation-probe\",\"content\":1}").post("/sessions")
                .then().statusCode(415).contentType("application/problem+json").body("status", equalTo(415));
        String id = newSession(ALICE, "media", 1);
        as(ALICE).contentType("application/xml").header("If-Match", "*").body("<x/>").patch("/sessions/" + id)
                .then().statusCode(415).contentType("application/problem+json");
        assertEquals(0, count());
    }

    @Test
    void invalidIdsAre400NotLookups() {
        for (String id : new String[] {"short", "thirteen-long", "has%20space!", "$where:1=1xx"}) {
            as(ALICE).get("/sessions/" + id).then().statusCode(400).contentType("application/problem+json")
                    .body("detail", containsString("Invalid id"));
        }
        as(ALICE).get("/sessions/metadata/abc").then().statusCode(400);
        as(ALICE).header("If-Match", "*").delete("/sessions/abc").then().statusCode(400);
    }

    @Test
    void contentOverOnePointFiveMebibytesIs413WithBothSizes() {
        // 1,700,000 bytes of canonical content.
        String big = "[\"" + "x".repeat(1_699_996) + "\"]";
        as(ALICE).contentType(ContentType.JSON).body("{\"title\":\"validation-probe\",\"content\":" + big + "}")
                .post("/sessions").then()
                .statusCode(413)
                .contentType("application/problem+json")
                .body("detail", equalTo("Content size (1.62 MB) exceeds maximum (1.50 MB)"))
                .body("size", equalTo(1_700_000))
                .body("maxSize", equalTo(1_572_864));
        assertEquals(0, count());
    }

    @Test
    void contentOfExactlyTheLimitIsAccepted() {
        String exact = "[\"" + "y".repeat(1_572_864 - 4) + "\"]";
        as(ALICE).contentType(ContentType.JSON).body("{\"title\":\"at the limit\",\"content\":" + exact + "}")
                .post("/sessions").then().statusCode(201).body("contentSize", equalTo(1_572_864));
    }

    @Test
    void aStringContentIsMeasuredAsTheTextItCarriesNotItsEscapes() {
        // 1.5 MiB of UTF-8 text whose JSON form, with a backslash before every quote, is far larger.
        String quoted = "\"q\"".repeat(1_572_864 / 3) + "é".repeat(1_572_864 % 3 / 2) + "z".repeat(1_572_864 % 3 % 2);
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "measured as text", "content", quoted))
                .post("/sessions").then().statusCode(201).body("contentSize", greaterThan(2_000_000));
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "validation-probe", "content", quoted + "!"))
                .post("/sessions").then().statusCode(413).body("size", equalTo(1_572_865));
        assertEquals(0, count());
    }

    @Test
    void aBodyFarOverTheLimitIsRefusedBeforeItIsSent() throws Exception {
        // Declare 64 MB, send only the headers: the answer must come without the body being read.
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String auth = Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));
            out.write(("POST /persistence/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + auth
                    + "\r\nContent-Type: application/json\r\nContent-Length: 67108864\r\n\r\n{\"title\":")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            assertRefusedAsTooLarge(socket.getInputStream());
        }
    }

    @Test
    void aChunkedBodyOverTheLimitIsRefusedWithAProblemAsItArrives() throws Exception {
        try (Socket socket = new Socket("127.0.0.1", port)) {
            socket.setSoTimeout(10_000);
            OutputStream out = socket.getOutputStream();
            String auth = Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));
            out.write(("POST /persistence/sessions HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic " + auth
                    + "\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            byte[] chunk = ("[" + "{},".repeat(20_000)).getBytes(StandardCharsets.US_ASCII);
            InputStream in = socket.getInputStream();
            try {
                // Up to 8 MiB, unless the server answers first.
                for (int sent = 0; sent < 8 << 20 && in.available() == 0; sent += chunk.length) {
                    out.write((Integer.toHexString(chunk.length) + "\r\n").getBytes(StandardCharsets.US_ASCII));
                    out.write(chunk);
                    out.write("\r\n".getBytes(StandardCharsets.US_ASCII));
                }
            } catch (java.io.IOException closed) {
                // the server closed the connection after its answer
            }
            assertRefusedAsTooLarge(in);
        }
    }

    /** Reads the raw answer up to its JSON body's end: a 413 problem that names the body limit. */
    private static void assertRefusedAsTooLarge(InputStream in) throws java.io.IOException {
        StringBuilder received = new StringBuilder();
        byte[] buffer = new byte[4096];
        int n;
        while (!received.toString().endsWith("}") && (n = in.read(buffer)) > 0) {
            received.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
        }
        String response = received.toString();
        assertTrue(response.startsWith("HTTP/1.1 413"), response);
        assertTrue(response.contains("application/problem+json"), response);
        assertTrue(response.contains("exceeds the limit of 4194304 bytes"), response);
    }

    @Test
    void overHttp2ABodyWithoutALengthIsReadAndOneOverTheLimitRefused() throws Exception {
        HttpClient http2 = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).build();
        URI sessions = URI.create("http://localhost:" + port + "/persistence/sessions");
        String auth = "Basic " + Base64.getEncoder().encodeToString("alice:alice-secret".getBytes(StandardCharsets.UTF_8));
        // The first request upgrades the connection (h2c); the next ones are HTTP/2 streams.
        assertEquals(HttpClient.Version.HTTP_2, http2.send(HttpRequest.newBuilder(sessions).header("Authorization", auth)
                .build(), HttpResponse.BodyHandlers.discarding()).version());
        byte[] body = "{\"title\":\"over h2\",\"content\":{\"v\":1}}".getBytes(StandardCharsets.UTF_8);
        HttpResponse<String> created = http2.send(HttpRequest.newBuilder(sessions).header("Authorization", auth)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(body))).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, created.version());
        assertEquals(201, created.statusCode(), created.body());

        byte[] large = ("{\"title\":\"h2 over the limit\",\"content\":[" + "{},".repeat(2_000_000) + "{}]}").getBytes(StandardCharsets.UTF_8);
        // Refused while it arrives: Vert.x answers an HTTP/2 body over the limit by closing the connection.
        int status;
        try {
            status = http2.send(HttpRequest.newBuilder(sessions).header("Authorization", auth)
                    .header("Content-Type", "application/json")
                    .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream(large))).build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (java.io.IOException closed) {
            status = 0;
        }
        assertTrue(status == 413 || status == 0, "refused, not " + status);
        as(ALICE).queryParam("filter_title", "h2 over the limit").get("/sessions").then().statusCode(200)
                .body("items", org.hamcrest.Matchers.empty());
    }

    @Test
    void aBodyOfTooManyTokensIs413NamingTheLimit() {
        String body = "{\"title\":\"tokens\",\"content\":[" + "0,".repeat(1_000_001) + "0]}";
        as(ALICE).contentType(ContentType.JSON).body(body).post("/sessions").then().statusCode(413)
                .contentType("application/problem+json").body("limit", equalTo("keepsake.limits.max-json-tokens"));
    }
}
