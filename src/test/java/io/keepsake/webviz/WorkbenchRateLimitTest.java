package io.keepsake.webviz;

import static io.keepsake.testing.Api.as;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.testing.Http;
import io.keepsake.testing.LowRateLimits;
import io.keepsake.testing.SignedInBrowser;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * The original workbench's session writes (create, save, delete) take the per-user write rate of
 * the native API, from the same bucket: past it they get 429 with Retry-After and the workbench's
 * error body, and nothing of what was refused is stored. Five writes a second, bursts of ten.
 */
@QuarkusTest
@TestProfile(LowRateLimits.class)
class WorkbenchRateLimitTest {

    private static final String ORIGIN = "http://localhost:3000";
    private static final String SETTING = "keepsake.rate-limits.session-writes-per-second";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TestHTTPResource("/")
    URI base;

    @Test
    void aBurstOfCreatesThroughBothSurfacesIsCutOffAtOneRateAndOnlyTheAnsweredOnesAreStored() {
        SignedInBrowser browser = SignedInBrowser.signIn("frank", ORIGIN);
        String tag = "both surfaces " + UUID.randomUUID().toString().substring(0, 8);
        long started = System.nanoTime();
        List<HttpResponse<String>> answers = Http.concurrently(60, i -> i % 2 == 0
                ? workbench(browser, "/sessions").POST(HttpRequest.BodyPublishers.ofString(body(tag + " " + i, "\"" + i + "\"")))
                        .build()
                : Http.request(base, "persistence/sessions", "frank").header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"" + tag + " " + i + "\",\"content\":" + i + "}"))
                        .build());
        double seconds = (System.nanoTime() - started) / 1e9;

        List<HttpResponse<String>> workbenchAnswers = answers.stream().filter(a -> a.uri().getPath().startsWith("/webviz/"))
                .toList();
        assertTrue(workbenchAnswers.stream().allMatch(a -> a.statusCode() == 200 || a.statusCode() == 429),
                "the workbench's creates are answered or refused");
        assertTrue(workbenchAnswers.stream().anyMatch(a -> a.statusCode() == 429), "its creates take the limit too");
        workbenchAnswers.stream().filter(a -> a.statusCode() == 429).forEach(WorkbenchRateLimitTest::refusedInItsShape);
        long created = answers.stream().filter(a -> a.statusCode() == 200 || a.statusCode() == 201).count();
        long limited = answers.stream().filter(a -> a.statusCode() == 429).count();
        assertEquals(60, created + limited, "every answer is a create or a 429");
        // One bucket of 10 for both surfaces, refilled at 5 a second while the burst lasted (a bucket each would pass 20).
        assertTrue(created >= 10 && created <= 10 + Math.ceil(5 * seconds) + 1,
                created + " created in " + seconds + " s at 5 a second with a burst of 10");
        assertEquals((int) created, (int) as("frank").queryParam("filter_title", tag).queryParam("page_size", "100")
                .get("/sessions").path("items.size()"), "what was refused was not stored");
    }

    @Test
    void refusedSavesAndDeletesChangeNothing() {
        SignedInBrowser browser = SignedInBrowser.signIn("grace", ORIGIN);
        String created = browser.write().body(body("saved in a burst", "\"0\"")).post("/sessions").then().statusCode(200)
                .extract().asString();
        String id = created.substring(1, created.length() - 1);

        List<HttpResponse<String>> saves = Http.concurrently(30, i -> workbench(browser, "/sessions/" + id)
                .PUT(HttpRequest.BodyPublishers.ofString(body("saved in a burst", "{\"n\":" + (i + 1) + "}"))).build());
        long saved = saves.stream().filter(a -> a.statusCode() == 200).count();
        List<HttpResponse<String>> refused = saves.stream().filter(a -> a.statusCode() == 429).toList();
        assertEquals(30, saved + refused.size(), "every save is answered 200 or 429");
        assertFalse(refused.isEmpty(), "30 saves at once go past a bucket of 10");
        refused.forEach(WorkbenchRateLimitTest::refusedInItsShape);
        assertEquals(1 + (int) saved, (int) browser.get().get("/sessions/metadata/" + id).path("version"),
                "each answered save made a version, no refused one did");

        List<HttpResponse<String>> deletes = Http.concurrently(30, i -> workbench(browser, "/sessions/" + id).DELETE().build());
        assertTrue(deletes.stream().allMatch(a -> Set.of(200, 404, 429).contains(a.statusCode())),
                "a delete is answered, finds the session gone, or is refused");
        deletes.stream().filter(a -> a.statusCode() == 429).forEach(WorkbenchRateLimitTest::refusedInItsShape);
        assertTrue(deletes.stream().anyMatch(a -> a.statusCode() == 429), "30 deletes at once go past the rate");
        boolean deleted = deletes.stream().anyMatch(a -> a.statusCode() == 200);
        as("grace").get("/sessions/metadata/" + id).then().statusCode(deleted ? 404 : 200);
    }

    /** A write as the workbench's page sends it through its proxy: its sign-in cookie, from its own origin. */
    private HttpRequest.Builder workbench(SignedInBrowser browser, String path) {
        return HttpRequest.newBuilder(base.resolve(SignedInBrowser.WORKBENCH.substring(1) + path))
                .timeout(Duration.ofSeconds(30))
                .header("Cookie", "quarkus-credential=" + browser.cookie())
                .header("Sec-Fetch-Site", "same-origin")
                .header("Content-Type", "application/json");
    }

    private static String body(String title, String content) {
        try {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("title", title);
            fields.put("description", null);
            fields.put("content", content);
            return JSON.writeValueAsString(fields);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** A refusal as the workbench reads it: Retry-After in whole seconds, {"error": {type, message, service}}. */
    private static void refusedInItsShape(HttpResponse<String> answer) {
        assertTrue(answer.headers().firstValue("Retry-After").orElse("").matches("[1-9][0-9]*"), answer.headers().toString());
        assertTrue(answer.headers().firstValue("Content-Type").orElse("").startsWith("application/json"),
                answer.headers().toString());
        try {
            JsonNode body = JSON.readTree(answer.body());
            List<String> fields = new ArrayList<>();
            body.fieldNames().forEachRemaining(fields::add);
            assertEquals(List.of("error"), fields, answer.body());
            assertEquals("ServiceUnavailableError", body.path("error").path("type").asText(), answer.body());
            assertEquals("database", body.path("error").path("service").asText(), answer.body());
            assertTrue(body.path("error").path("message").asText().contains(SETTING), answer.body());
        } catch (JsonProcessingException e) {
            throw new AssertionError(answer.body(), e);
        }
    }
}
