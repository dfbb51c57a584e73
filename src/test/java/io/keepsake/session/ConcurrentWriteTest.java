package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.RepeatedTest;

import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

/** Of N concurrent writers holding the same ETag, exactly one wins and the store holds its write. */
@QuarkusTest
class ConcurrentWriteTest {

    @TestHTTPResource("/")
    URI base;

    @RepeatedTest(3)
    void fiftyConcurrentPutsWithOneEtagGiveOneSuccessAndFortyNine412s() {
        Response created = createSession(ALICE, "race", Map.of("writer", -1));
        String id = created.path("id");
        String etag = created.header("ETag");

        List<HttpResponse<String>> responses = Http.concurrently(50, i -> Http
                .request(base, "persistence/sessions/" + id, ALICE)
                .header("Content-Type", "application/json")
                .header("If-Match", etag)
                .PUT(HttpRequest.BodyPublishers.ofString("{\"title\":\"race\",\"content\":{\"writer\":" + i + "}}"))
                .build());

        List<HttpResponse<String>> won = responses.stream().filter(r -> r.statusCode() == 200).toList();
        long lost = responses.stream().filter(r -> r.statusCode() == 412).count();
        assertEquals(1, won.size(), () -> "statuses: " + responses.stream().map(HttpResponse::statusCode).toList());
        assertEquals(49, lost);

        String winnerTag = won.get(0).headers().firstValue("ETag").orElseThrow();
        Response stored = as(ALICE).get("/sessions/" + id);
        assertEquals(winnerTag, stored.header("ETag"));
        assertEquals(2, (int) stored.path("version"));
        assertEquals(JsonPath.from(won.get(0).body()).getString("contentHash"), stored.path("contentHash"));
        // Every loser was told the winner's state.
        responses.stream().filter(r -> r.statusCode() == 412).forEach(r -> {
            assertEquals(2, JsonPath.from(r.body()).getInt("version"));
            assertEquals(winnerTag, r.headers().firstValue("ETag").orElseThrow());
        });
    }
}
