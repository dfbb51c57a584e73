package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static io.keepsake.testing.Api.newSession;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.nullValue;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.keepsake.hashing.CanonicalJson;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.response.Response;

@QuarkusTest
class SessionLifecycleTest {

    private static String sha256(String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        return CanonicalJson.sha256Hex(bytes, bytes.length);
    }

    @Test
    void createReturns201WithLocationEtagAndTheHashOfTheCanonicalContent() {
        Response created = as(ALICE).contentType(ContentType.JSON)
                .body("{\"title\":\"  Wells  \",\"description\":\"Q3\",\"content\":{\"b\":[1,2.50],\"a\":\"é\"}}")
                .post("/sessions");

        created.then().statusCode(201)
                .header("Location", matchesPattern(".*/persistence/sessions/[A-Za-z0-9_-]{12}$"))
                .header("ETag", matchesPattern("\"1-[0-9a-f]{24}\""))
                .body("id", matchesPattern("[A-Za-z0-9_-]{12}"))
                .body("ownerId", equalTo(ALICE))
                .body("title", equalTo("Wells"))
                .body("description", equalTo("Q3"))
                .body("version", equalTo(1))
                .body("contentHash", equalTo(sha256("{\"a\":\"é\",\"b\":[1,2.5]}")))
                .body("metadataHash", equalTo(sha256("{\"description\":\"Q3\",\"title\":\"Wells\"}")))
                .body("content", nullValue());

        String id = created.path("id");
        as(ALICE).get("/sessions/" + id).then().statusCode(200)
                .header("ETag", equalTo(created.header("ETag")))
                .header("Cache-Control", equalTo("private, no-cache"))
                .body("content.a", equalTo("é"))
                .body("content.b", equalTo(List.of(1, 2.5f)))
                .body("createdAt", equalTo(created.path("createdAt")));
    }

    @Test
    void contentMayBeAnyJsonValueIncludingAJsonEncodedString() {
        String encoded = "{\"modules\":[{\"id\":\"m1\"}]}";
        String id = newSession(ALICE, "string content", encoded);
        as(ALICE).get("/sessions/" + id).then().statusCode(200)
                .body("content", equalTo(encoded))
                .body("contentHash", equalTo(sha256("\"{\\\"modules\\\":[{\\\"id\\\":\\\"m1\\\"}]}\"")));
        String nullId = as(ALICE).contentType(ContentType.JSON).body("{\"title\":\"null content\",\"content\":null}")
                .post("/sessions").then().statusCode(201).extract().path("id");
        as(ALICE).get("/sessions/" + nullId).then().statusCode(200).body("content", nullValue());
    }

    @Test
    void aMatchingIfNoneMatchGets304WithoutABodyOnReadAndMetadata() {
        Response created = createSession(ALICE, "cached", Map.of("k", 1));
        String id = created.path("id");
        String etag = created.header("ETag");

        as(ALICE).header("If-None-Match", etag).get("/sessions/" + id).then()
                .statusCode(304).header("ETag", etag).body(equalTo(""));
        as(ALICE).header("If-None-Match", etag).get("/sessions/metadata/" + id).then()
                .statusCode(304).header("ETag", etag);
        as(ALICE).header("If-None-Match", "W/" + etag).get("/sessions/metadata/" + id).then().statusCode(304);
        as(ALICE).header("If-None-Match", "\"1-000000000000000000000000\"").get("/sessions/" + id).then()
                .statusCode(200).body("content.k", equalTo(1));
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200)
                .header("ETag", etag).body("title", equalTo("cached")).body("content", nullValue());
    }

    @Test
    void putWithTheCurrentEtagReplacesAndBumpsTheVersion() {
        Response created = createSession(ALICE, "draft", Map.of("step", 1));
        String id = created.path("id");

        Response updated = as(ALICE).contentType(ContentType.JSON).header("If-Match", created.header("ETag"))
                .body(Map.of("title", "final", "description", "done", "content", Map.of("step", 2)))
                .put("/sessions/" + id);

        updated.then().statusCode(200)
                .header("ETag", matchesPattern("\"2-[0-9a-f]{24}\""))
                .body("version", equalTo(2))
                .body("title", equalTo("final"))
                .body("contentHash", equalTo(sha256("{\"step\":2}")));
        as(ALICE).get("/sessions/" + id).then().statusCode(200)
                .header("ETag", equalTo(updated.header("ETag")))
                .body("content.step", equalTo(2))
                .body("description", equalTo("done"));
    }

    @Test
    void aStaleIfMatchGets412WithTheCurrentState() {
        Response created = createSession(ALICE, "shared", Map.of("v", 1));
        String id = created.path("id");
        String first = created.header("ETag");
        Response second = as(ALICE).contentType(ContentType.JSON).header("If-Match", first)
                .body(Map.of("title", "shared", "content", Map.of("v", 2))).put("/sessions/" + id);

        as(ALICE).contentType(ContentType.JSON).header("If-Match", first)
                .body(Map.of("title", "shared", "content", Map.of("v", 3))).put("/sessions/" + id)
                .then().statusCode(412)
                .contentType("application/problem+json")
                .header("ETag", equalTo(second.header("ETag")))
                .body("status", equalTo(412))
                .body("currentHash", equalTo(sha256("{\"v\":2}")))
                .body("version", equalTo(2))
                .body("updatedAt", equalTo(second.path("updatedAt")));
        as(ALICE).get("/sessions/" + id).then().body("content.v", equalTo(2));
    }

    @Test
    void writesWithoutIfMatchGet428AndChangeNothing() {
        String id = newSession(ALICE, "guarded", Map.of("v", 1));
        as(ALICE).contentType(ContentType.JSON).body(Map.of("title", "x", "content", 2)).put("/sessions/" + id)
                .then().statusCode(428).contentType("application/problem+json").body("status", equalTo(428));
        as(ALICE).contentType("application/merge-patch+json").body(Map.of("title", "x")).patch("/sessions/" + id)
                .then().statusCode(428);
        as(ALICE).get("/sessions/" + id).then().body("title", equalTo("guarded")).body("version", equalTo(1));
    }

    @Test
    void ifMatchStarAndTagListsAreHonoured() {
        Response created = createSession(ALICE, "star", 1);
        String id = created.path("id");
        as(ALICE).contentType(ContentType.JSON).header("If-Match", "*")
                .body(Map.of("title", "star", "content", 2)).put("/sessions/" + id)
                .then().statusCode(200).body("version", equalTo(2));
        String current = as(ALICE).get("/sessions/metadata/" + id).header("ETag");
        as(ALICE).contentType(ContentType.JSON).header("If-Match", created.header("ETag") + ", " + current)
                .body(Map.of("title", "star", "content", 3)).put("/sessions/" + id)
                .then().statusCode(200).body("version", equalTo(3));
        as(ALICE).contentType(ContentType.JSON).header("If-Match", "W/" + as(ALICE).get("/sessions/metadata/" + id).header("ETag"))
                .body(Map.of("title", "star", "content", 4)).put("/sessions/" + id)
                .then().statusCode(412); // If-Match compares strongly: a weak tag never matches
    }

    @Test
    void aPutThatChangesNothingKeepsVersionAndEtag() {
        Response created = createSession(ALICE, "same", Map.of("a", 1, "b", 2));
        String id = created.path("id");
        as(ALICE).contentType(ContentType.JSON).header("If-Match", created.header("ETag"))
                .body("{\"title\":\"same\",\"description\":\"\",\"content\":{\"b\":2,\"a\":1.0}}").put("/sessions/" + id)
                .then().statusCode(200).header("ETag", equalTo(created.header("ETag"))).body("version", equalTo(1));
    }

    @Test
    void patchAppliesAJsonMergePatch() {
        Response created = as(ALICE).contentType(ContentType.JSON)
                .body("{\"title\":\"patchable\",\"description\":\"d\",\"content\":{\"keep\":1,\"drop\":2,\"nested\":{\"x\":1}}}")
                .post("/sessions");
        String id = created.path("id");

        Response patched = as(ALICE).contentType("application/merge-patch+json").header("If-Match", created.header("ETag"))
                .body("{\"title\":\"patched\",\"content\":{\"drop\":null,\"nested\":{\"y\":2}}}")
                .patch("/sessions/" + id);

        patched.then().statusCode(200).body("version", equalTo(2)).body("title", equalTo("patched"))
                .body("description", equalTo("d"))
                .body("contentHash", equalTo(sha256("{\"keep\":1,\"nested\":{\"x\":1,\"y\":2}}")));
        as(ALICE).get("/sessions/" + id).then().body("content.drop", nullValue()).body("content.nested.y", equalTo(2));

        as(ALICE).contentType("application/merge-patch+json").header("If-Match", created.header("ETag"))
                .body("{\"description\":\"late\"}").patch("/sessions/" + id)
                .then().statusCode(412).body("version", equalTo(2));
        as(ALICE).contentType("application/merge-patch+json").header("If-Match", patched.header("ETag"))
                .body("{\"title\":null}").patch("/sessions/" + id)
                .then().statusCode(400).body("field", equalTo("title"));
    }

    @Test
    void deleteRemovesTheSessionAndHonoursIfMatch() {
        Response created = createSession(ALICE, "doomed", 1);
        String id = created.path("id");
        as(ALICE).header("If-Match", "\"9-000000000000000000000000\"").delete("/sessions/" + id)
                .then().statusCode(412).body("version", equalTo(1));
        as(ALICE).header("If-Match", created.header("ETag")).delete("/sessions/" + id).then().statusCode(204);
        as(ALICE).get("/sessions/" + id).then().statusCode(404).contentType("application/problem+json");
        as(ALICE).delete("/sessions/" + id).then().statusCode(404);

        String other = newSession(ALICE, "doomed too", 1);
        as(ALICE).delete("/sessions/" + other).then().statusCode(204);
        as(ALICE).get("/sessions/metadata/" + other).then().statusCode(404);
    }

    @Test
    void everyChangeChangesTheEtag() {
        Response created = createSession(ALICE, "tags", 1);
        String id = created.path("id");
        String v1 = created.header("ETag");
        String v2 = as(ALICE).contentType(ContentType.JSON).header("If-Match", v1)
                .body(Map.of("title", "tags", "description", "now described", "content", 1)).put("/sessions/" + id)
                .header("ETag");
        String v3 = as(ALICE).contentType(ContentType.JSON).header("If-Match", v2)
                .body(Map.of("title", "tags", "content", 1)).put("/sessions/" + id).header("ETag");
        assertNotEquals(v1, v2);
        assertNotEquals(v2, v3);
        assertNotEquals(v1, v3); // same hashes as v1, but a later version
        assertEquals(3, (int) as(ALICE).get("/sessions/metadata/" + id).path("version"));
        as(ALICE).get("/sessions/metadata/" + id).then().header("ETag", not(equalTo(v1)));
    }
}
