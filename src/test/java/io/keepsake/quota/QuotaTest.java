package io.keepsake.quota;

import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static io.keepsake.testing.Api.createSnapshot;
import static io.keepsake.testing.Api.newSession;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

/**
 * Per-user quotas kept in the store: a user past the number of sessions or snapshots gets 409, past
 * the stored bytes 413, each naming its setting; nothing of the refused write is stored, what was
 * stored is untouched, and deleting makes room again. Concurrent creates never pass a quota.
 */
@QuarkusTest
@TestProfile(QuotaTest.Profile.class)
class QuotaTest {

    /**
     * Users of this test alone, fresh in every run (what other tests stored does not count); named
     * by the JVM's start, the same in every class loader that loads this class.
     */
    static final String RUN = Long.toString(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime(), 36);
    static final String COUNTED = "counted-" + RUN;
    static final String SNAPPER = "snapper-" + RUN;
    static final String FILLER = "filler-" + RUN;
    static final String RACER = "racer-" + RUN;

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            Map<String, String> config = new HashMap<>(Map.of(
                    "keepsake.quotas.max-sessions-per-user", "3",
                    "keepsake.quotas.max-snapshots-per-user", "2",
                    "keepsake.quotas.max-stored-bytes-per-user", "4000"));
            for (String user : List.of(COUNTED, SNAPPER, FILLER, RACER)) {
                config.put("quarkus.security.users.embedded.users." + user, user + "-secret");
            }
            return config;
        }
    }

    @TestHTTPResource("/")
    URI base;

    @Test
    void aUserPastTheSessionQuotaGets409AndRoomAgainAfterADelete() {
        String first = newSession(COUNTED, "one", 1);
        newSession(COUNTED, "two", 2);
        newSession(COUNTED, "three", 3);
        createSession(COUNTED, "four", 4).then().statusCode(409).contentType("application/problem+json")
                .body("limit", equalTo("keepsake.quotas.max-sessions-per-user"));
        assertEquals(List.of("three", "two", "one"), titles(COUNTED), "the refused session was not stored");

        as(COUNTED).delete("/sessions/" + first).then().statusCode(204);
        newSession(COUNTED, "four", 4);
        assertEquals(List.of("four", "three", "two"), titles(COUNTED));
    }

    @Test
    void aUserPastTheSnapshotQuotaGets409() {
        String kept = createSnapshot(SNAPPER, "a", 1).then().statusCode(201).extract().path("id");
        createSnapshot(SNAPPER, "b", 2).then().statusCode(201);
        createSnapshot(SNAPPER, "c", 3).then().statusCode(409).contentType("application/problem+json")
                .body("limit", equalTo("keepsake.quotas.max-snapshots-per-user"));
        as(SNAPPER).get("/snapshots").then().statusCode(200).body("items.size()", equalTo(2));
        as(SNAPPER).delete("/snapshots/" + kept).then().statusCode(204);
        createSnapshot(SNAPPER, "c", 3).then().statusCode(201);
    }

    @Test
    void storedBytesAreCountedAcrossCreatesAndReplacesAndAGrowthPastThemIs413() {
        // Content of n bytes as canonical JSON: a string of n - 2 characters.
        Response first = createSession(FILLER, "first", "a".repeat(1498));
        first.then().statusCode(201);
        newSession(FILLER, "second", "b".repeat(1498));
        createSession(FILLER, "third", "c".repeat(1498)).then().statusCode(413).contentType("application/problem+json")
                .body("limit", equalTo("keepsake.quotas.max-stored-bytes-per-user"));

        // 3,000 of 4,000 bytes stored: the first may grow by 1,000, not by 1,001.
        String id = first.path("id");
        String tag = first.header("ETag");
        put(id, tag, "a".repeat(2499)).then().statusCode(413)
                .body("limit", equalTo("keepsake.quotas.max-stored-bytes-per-user"));
        as(FILLER).get("/sessions/" + id).then().statusCode(200).header("ETag", tag)
                .body("content", equalTo("a".repeat(1498)));
        Response grown = put(id, tag, "a".repeat(2498));
        grown.then().statusCode(200);

        // Full: a replace that shrinks is still taken, and frees what it no longer holds.
        Response shrunk = put(id, grown.header("ETag"), "s".repeat(498));
        shrunk.then().statusCode(200);
        newSession(FILLER, "third", "c".repeat(1998));
        createSession(FILLER, "fourth", "d".repeat(10)).then().statusCode(409);
    }

    @Test
    void concurrentCreatesNeverPassTheQuota() {
        List<HttpResponse<String>> answers = Http.concurrently(12, i -> Http.request(base, "persistence/sessions", RACER)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"title\":\"race " + i + "\",\"content\":" + i + "}")).build());
        Map<Integer, Integer> statuses = new HashMap<>();
        answers.forEach(answer -> statuses.merge(answer.statusCode(), 1, Integer::sum));
        assertEquals(Map.of(201, 3, 409, 9), statuses);
        assertEquals(3, titles(RACER).size(), "exactly the answered 201s are stored");
    }

    private static Response put(String id, String tag, Object content) {
        return as(FILLER).contentType(ContentType.JSON).header("If-Match", tag)
                .body(Map.of("title", "first", "description", "", "content", content)).put("/sessions/" + id);
    }

    private static List<String> titles(String user) {
        return as(user).get("/sessions").then().statusCode(200).extract().path("items.title");
    }
}
