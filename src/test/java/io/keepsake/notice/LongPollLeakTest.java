package io.keepsake.notice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.net.http.HttpResponse;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** A long poll is a listener only while it waits: three thousand that time out leave nothing behind. */
@QuarkusTest
class LongPollLeakTest {

    /** A user of this test alone. */
    private static final String USER = "poller";

    @TestHTTPResource("/")
    URI base;

    @Inject
    LongPolls polls;

    @Inject
    NoticeFanout fanout;

    @Test
    void threeThousandLongPollsThatTimeOutLeaveNoWaitersAndNoListeners() {
        // Listeners other tests left in this shared service (the tag cache listens to the owners of
        // sessions it holds) are theirs: only what the polls add is counted.
        int before = fanout.listenerCount();
        String cursor = io.keepsake.testing.Api.noticeCursor(USER);
        // Ten at a time: as many long polls as one user may hold at once.
        for (int batch = 0; batch < 300; batch++) {
            for (HttpResponse<String> answer : Http.concurrently(10, i -> Http.request(base,
                    "persistence/notices?wait=0.01&after=" + cursor, USER).GET().build())) {
                assertEquals(200, answer.statusCode(), answer.body());
            }
        }
        assertEquals(0, polls.waiting(), "no poll is still waiting");
        assertTrue(fanout.listenerCount() <= before, "no listener of the polls is left: " + fanout.listenerCount()
                + ", " + before + " before them");
        assertEquals(false, fanout.users().contains(USER), "the poller's stream went with its last listener");
    }
}
