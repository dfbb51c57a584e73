package io.keepsake.notice;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.BOB;
import static io.keepsake.testing.Api.as;
import static io.keepsake.testing.Api.createSession;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URI;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import io.keepsake.testing.SocketClient;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.http.ContentType;
import io.restassured.path.json.JsonPath;
import io.restassured.response.Response;

@QuarkusTest
class NoticeSocketTest {

    @TestHTTPResource("/")
    URI base;

    private SocketClient connect(String user, String clientId) throws InterruptedException {
        String ticket = as(user).post("/notices/tickets").then().statusCode(201).extract().path("ticket");
        SocketClient client = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket + "&client_id=" + clientId);
        JsonPath ready = client.next("ready");
        assertNotNull(ready, "the server says when the connection is ready");
        assertEquals(user, ready.getString("user"));
        return client;
    }

    private static Response put(String id, String etag, String clientId, Object content) {
        return as(ALICE).contentType(ContentType.JSON).header("If-Match", etag).header("Keepsake-Client-Id", clientId)
                .body(Map.of("title", "pushed", "content", content)).put("/sessions/" + id);
    }

    @Test
    void anotherClientsWriteIsPushedWithTheNewHashAndTheWritersOwnEchoIsMarked() throws Exception {
        Response created = createSession(ALICE, "pushed", 1);
        String id = created.path("id");
        try (SocketClient tab1 = connect(ALICE, "tab-1"); SocketClient tab2 = connect(ALICE, "tab-2")) {
            Response updated = put(id, created.header("ETag"), "tab-2", 2);

            JsonPath heard = tab1.next("session.updated");
            assertEquals(id, heard.getString("resourceId"));
            assertEquals(updated.path("contentHash"), heard.getString("hash"));
            assertEquals(2, heard.getInt("version"));
            assertEquals(false, heard.getBoolean("own"));
            JsonPath echo = tab2.next("session.updated");
            assertEquals("tab-2", echo.getString("origin"));
            assertEquals(true, echo.getBoolean("own"));
        }
    }

    @Test
    void subscribingWithAStaleHashGivesAnImmediateConflict() throws Exception {
        Response created = createSession(ALICE, "stale", 1);
        String id = created.path("id");
        String oldHash = created.path("contentHash");
        Response updated = put(id, created.header("ETag"), "elsewhere", 2);
        try (SocketClient tab = connect(ALICE, "tab-3")) {
            tab.send("{\"type\":\"subscribe\",\"sessions\":[{\"id\":\"" + id + "\",\"hash\":\"" + oldHash + "\"}]}");
            JsonPath conflict = tab.next("session.conflict");
            assertEquals(id, conflict.getString("resourceId"));
            assertEquals(updated.path("contentHash"), conflict.getString("hash"));
            assertEquals(List.of(id), tab.next("subscribed").getList("sessions"));
        }
    }

    @Test
    void aMessageSentTheMomentTheSocketOpensIsNotLost() throws Exception {
        Response created = createSession(ALICE, "eager", 1);
        String id = created.path("id");
        put(id, created.header("ETag"), "elsewhere", 2);
        String ticket = as(ALICE).post("/notices/tickets").path("ticket");
        try (SocketClient tab = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket)) {
            tab.send("{\"type\":\"subscribe\",\"sessions\":[{\"id\":\"" + id + "\",\"hash\":\"stale\"}]}");
            assertEquals(id, tab.next("session.conflict").getString("resourceId"));
        }
    }

    @Test
    void resumingWithTheLastIdReplaysExactlyTheMissedNotices() throws Exception {
        Response created = createSession(ALICE, "missed", 1);
        String id = created.path("id");
        String last;
        try (SocketClient tab = connect(ALICE, "tab-4")) {
            Response first = put(id, created.header("ETag"), "other", 2);
            last = tab.next("session.updated").getString("id");
            Response second = put(id, first.header("ETag"), "other", 3);
            put(id, second.header("ETag"), "other", 4);
        }
        try (SocketClient again = connect(ALICE, "tab-4")) {
            again.send("{\"type\":\"resume\",\"after\":\"" + last + "\"}");
            JsonPath one = again.next("session.updated");
            JsonPath two = again.next("session.updated");
            assertEquals(Long.parseLong(last) + 1, one.getLong("id"));
            assertEquals(3, one.getInt("version"));
            assertEquals(Long.parseLong(last) + 2, two.getLong("id"));
            assertEquals(4, two.getInt("version"));
            assertNull(again.poll(500), "nothing else was missed");
        }
    }

    @Test
    void aUserNeverHearsAnotherUsersNotices() throws Exception {
        try (SocketClient bob = connect(BOB, "bob-tab")) {
            createSession(ALICE, "private", 1);
            bob.send("{\"type\":\"ping\"}");
            JsonPath next = bob.next();
            assertEquals("pong", next.getString("type"), "the only message is the answer to the ping");
        }
    }

    @Test
    void badMessagesGetAnErrorAndTheConnectionStaysUsableUntilAFlood() throws Exception {
        try (SocketClient tab = connect(ALICE, "tab-5")) {
            tab.send("{not json");
            assertTrue(tab.next("error").getString("error").startsWith("malformed JSON"));
            tab.send("{\"type\":\"dance\"}");
            assertTrue(tab.next("error").getString("error").contains("unknown message type \"dance\""));
            tab.send("{\"type\":\"ping\"}");
            assertEquals("pong", tab.next().getString("type"));
            for (int i = 0; i < 30; i++) {
                tab.send("[]");
            }
            assertEquals(1008, tab.closed.get(5, TimeUnit.SECONDS));
        }
    }

    @Test
    void aFloodOfBadMessagesGetsEveryOwedErrorBeforeTheClose() throws Exception {
        try (SocketClient tab = connect("carol", "tab-flood")) {
            for (int i = 0; i < 30; i++) {
                tab.send("[]");
            }
            assertEquals(1008, tab.closed.get(10, TimeUnit.SECONDS));
            // Messages are handed over in order, so all that came before the close are queued by now.
            long errors = tab.texts.stream().map(JsonPath::from).filter(m -> "error".equals(m.getString("type"))).count();
            assertEquals(20, errors, "one error for each of the 20 bad messages a minute allows, then the close");
        }
    }

    @Test
    void aConnectionWithoutAValidTicketIsClosedWithPolicyViolation() throws Exception {
        SocketClient none = SocketClient.open(base, "persistence/notices/ws");
        assertEquals(1008, none.closed.get(5, TimeUnit.SECONDS));
        String ticket = as(ALICE).post("/notices/tickets").path("ticket");
        try (SocketClient first = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket)) {
            assertNotNull(first.next("ready"));
            SocketClient reused = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket);
            assertEquals(1008, reused.closed.get(5, TimeUnit.SECONDS), "a ticket opens one connection");
        }
    }

    @Test
    void aSubscribeOfAThousandSessionsIsRefusedNamingTheLimitAndTheConnectionStaysUsable() throws Exception {
        try (SocketClient tab = connect(ALICE, "tab-6")) {
            StringBuilder ids = new StringBuilder();
            for (int i = 0; i < 1000; i++) {
                ids.append(i == 0 ? "" : ",").append("{\"id\":\"").append(String.format("s%011d", i)).append("\",\"hash\":\"h\"}");
            }
            tab.send("{\"type\":\"subscribe\",\"sessions\":[" + ids + "]}");
            JsonPath refused = tab.next("error");
            assertTrue(refused.getString("error").contains("keepsake.notices.max-subscriptions"), refused.prettify());
            tab.send("{\"type\":\"subscribe\",\"sessions\":[{\"id\":\"../../etc\"}]}");
            assertTrue(tab.next("error").getString("error").contains("valid string \"id\""));
            tab.send("{\"type\":\"ping\"}");
            assertEquals("pong", tab.next().getString("type"));
        }
    }

    @Test
    void aConnectionSendingFasterThanAllowedIsClosed() throws Exception {
        try (SocketClient tab = connect(BOB, "tab-7")) {
            for (int i = 0; i < 100; i++) {
                tab.send("{\"type\":\"ping\"}");
            }
            assertEquals(1008, tab.closed.get(10, TimeUnit.SECONDS));
        }
    }

    @Test
    void aUserMayHoldOnlySoManyConnectionsAndLongPolls() throws Exception {
        List<SocketClient> open = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 20; i++) {
                open.add(connect("erin", "many-" + i));
            }
            String ticket = as("erin").post("/notices/tickets").then().statusCode(201).extract().path("ticket");
            SocketClient oneTooMany = SocketClient.open(base, "persistence/notices/ws?ticket=" + ticket);
            assertEquals(1008, oneTooMany.closed.get(10, TimeUnit.SECONDS));
        } finally {
            open.forEach(SocketClient::close);
        }
        String cursor = as("dave").get("/notices").path("cursor");
        List<java.net.http.HttpResponse<String>> polls = io.keepsake.testing.Http.concurrently(11,
                i -> io.keepsake.testing.Http.request(base, "persistence/notices?wait=2&after=" + cursor, "dave").GET().build());
        assertEquals(1, polls.stream().filter(p -> p.statusCode() == 429).count(), "one long poll over the limit of ten");
        assertTrue(polls.stream().filter(p -> p.statusCode() == 429).findFirst().orElseThrow().body()
                .contains("keepsake.notices.max-long-polls-per-user"));
    }
}
