package io.keepsake.notice;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.URI;
import java.net.http.HttpResponse;

import jakarta.inject.Inject;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.Http;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/** A long poll is a listener only while it waits: ten thousand that time out leave nothing behind. */
@QuarkusTest
class LongPollLeakTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    LongPolls polls;

    @Inject
    NoticeFanout fanout;

    @Test
    void tenThousandLongPollsThatTimeOutLeaveNoWaitersAndNoListeners() {
        String cursor = io.keepsake.testing.Api.noticeCursor("bob");
        // Ten at a time: as many long polls as one user may hold at once.
        for (int batch = 0; batch < 1000; batch++) {
            for (HttpResponse<String> answer : Http.concurrently(10, i -> Http.request(base,
                    "persistence/notices?wait=0.01&after=" + cursor, "bob").GET().build())) {
                assertEquals(200, answer.statusCode(), answer.body());
            }
        }
        assertEquals(0, polls.waiting(), "no poll is still waiting");
        assertEquals(0, fanout.listenerCount(), "no listener is left");
        assertEquals(false, fanout.users().contains("bob"), "bob's stream went with its last listener");
    }
}
