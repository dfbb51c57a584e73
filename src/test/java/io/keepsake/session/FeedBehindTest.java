package io.keepsake.session;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.KeepsakeConfig;
import io.keepsake.notice.NoticeFeed;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import io.restassured.response.Response;

/**
 * An instance whose tailing notice feed reads the store once an hour never vouches for what it
 * holds, not even in the moments after its first read of a session started the feed: a save another
 * replica made right after that read is answered at once, 200 with the new tag and content, never a
 * 304 from memory. The lag the feed may have and the bound on what is held are a minute here, so
 * that nothing but the feed's own reads decides.
 */
@QuarkusTest
@TestProfile(FeedBehindTest.Profile.class)
class FeedBehindTest {

    public static class Profile implements QuarkusTestProfile {
        @Override
        public Map<String, String> getConfigOverrides() {
            return Map.of("keepsake.notices.feed", "tailing", "keepsake.notices.tail-every", "1h",
                    "keepsake.notices.tag-cache-max-lag", "1m", "keepsake.reads.max-staleness", "1m");
        }
    }

    @Inject
    NoticeFeed feed;

    @Inject
    KeepsakeConfig config;

    @Test
    void aSaveByAnotherReplicaRightAfterTheFirstReadIsNeverHiddenByMemory() throws Exception {
        Response created = createSession(ALICE, "read here, saved elsewhere", Map.of("v", 1));
        String id = created.path("id");
        String v1 = created.header("ETag");
        // The first reads: the session is held from now on, and its owner's notices listened to.
        as(ALICE).get("/sessions/metadata/" + id).then().statusCode(200).header("ETag", v1);
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", v1).body("content.v", equalTo(1));
        as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).then().statusCode(304);
        assertTrue(feed.tailing(), "someone listens here: the feed runs");

        String v2 = AnotherReplica.save(id, "{\"v\":2}");

        as(ALICE).header("If-None-Match", v1).get("/sessions/metadata/" + id).then().statusCode(200).header("ETag", v2);
        as(ALICE).get("/sessions/" + id).then().statusCode(200).header("ETag", v2).body("content.v", equalTo(2));
        as(ALICE).header("If-None-Match", v2).get("/sessions/metadata/" + id).then().statusCode(304).header("ETag", v2);
        assertFalse(feed.readWithin(config.notices().tagCacheMaxLag()), "the feed has not read the store since it started");
    }
}
