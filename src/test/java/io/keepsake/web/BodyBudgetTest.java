package io.keepsake.web;

import static io.keepsake.testing.Api.ALICE;
import static io.keepsake.testing.Api.createSession;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;

/**
 * Bodies being received hold memory until they are answered: uploads without credentials share a
 * small budget (1 MiB, at most 64 KiB each, counted at that when no length is declared), a body past
 * it is 503 at once, and signed-in users' saves are answered all the while; the budget comes back
 * when the uploads go away, and a body that does not arrive within the read time-out (8 s here) is 408.
 */
@QuarkusTest
class BodyBudgetTest {

    private static final String CHUNKED_UPLOAD = "POST /persistence/sessions HTTP/1.1\r\nHost: localhost\r\n"
            + "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n10\r\n{\"title\":\"slow\",\r\n";

    @TestHTTPResource("/")
    URL base;

    @Test
    void slowUploadsWithoutCredentialsCannotHoldMoreThanTheirShare() throws Exception {
        List<Socket> uploads = new ArrayList<>();
        try {
            int refused = 0;
            for (int i = 0; i < 40; i++) {
                uploads.add(open());
            }
            // All opened before any may reach the read time-out (8 s here), which would give its share back.
            for (Socket upload : uploads) {
                String answer = answer(upload, Duration.ofMillis(50));
                if (answer.startsWith("HTTP/1.1 503")) {
                    assertTrue(answer.contains("Retry-After: 1") || answer.contains("retry-after: 1"), answer);
                    assertTrue(answer.contains("keepsake.bodies.anonymous-in-flight"), answer);
                    refused++;
                } else {
                    assertEquals("", answer, "an upload within the budget is being read");
                }
            }
            assertEquals(40 - 16, refused, "16 uploads of up to 64 KiB fill the 1 MiB budget");
            createSession(ALICE, "while uploads hang", Map.of("ok", true)).then().statusCode(201);
        } finally {
            for (Socket upload : uploads) {
                upload.close();
            }
        }
        // Their connections gone, their share is back.
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Socket upload = open()) {
                return answer(upload, Duration.ofMillis(300)).isEmpty();
            }
        });
    }

    @Test
    void aBodyThatDoesNotArriveInTimeIs408() throws Exception {
        try (Socket upload = open()) {
            String answer = answer(upload, Duration.ofSeconds(30));
            assertTrue(answer.startsWith("HTTP/1.1 408"), answer);
            assertTrue(answer.contains("application/problem+json"), answer);
        }
    }

    private Socket open() throws IOException {
        Socket socket = new Socket(base.getHost(), base.getPort());
        OutputStream out = socket.getOutputStream();
        out.write(CHUNKED_UPLOAD.getBytes(StandardCharsets.US_ASCII));
        out.flush();
        return socket;
    }

    /** What the server answered within {@code wait} ("" if nothing yet). */
    private static String answer(Socket socket, Duration wait) throws IOException {
        socket.setSoTimeout((int) wait.toMillis());
        InputStream in = socket.getInputStream();
        byte[] buffer = new byte[4096];
        StringBuilder read = new StringBuilder();
        try {
            for (int n; (n = in.read(buffer)) > 0;) {
                read.append(new String(buffer, 0, n, StandardCharsets.UTF_8));
                socket.setSoTimeout(200);
            }
        } catch (SocketTimeoutException e) {
            // nothing more for now
        }
        return read.toString();
    }
}
