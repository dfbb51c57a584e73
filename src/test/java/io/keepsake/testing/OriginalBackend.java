package io.keepsake.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * A stand-in for the original workbench's back end (FastAPI with {@code root_path="/api"}, served
 * behind a proxy that strips {@code /api}; its routes answer with and without it): {@code GET /login} signs the browser in as {@link #USER} with the cookie
 * {@code session} and redirects to the front end; {@code GET /logged_in_user} answers as the original
 * does, 200 with the user for that cookie and 400 {@code {"detail": "No user is logged in"}} for any
 * other; {@code /other} stands for the rest of its API and echoes what reached it. Anything else is 404.
 */
public final class OriginalBackend implements AutoCloseable {

    /** The original's session cookie. */
    public static final String COOKIE = "session";
    /** The user its sign-in signs in (an Entra ID object id, as the original's user ids are). */
    public static final String USER = "3f6c1b8e-0d3a-4f57-9a51-2b7e8c4d9a10";

    private final HttpServer server;
    private final String token = UUID.randomUUID().toString();

    private OriginalBackend(HttpServer server) {
        this.server = server;
    }

    public static OriginalBackend start() throws IOException {
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        OriginalBackend backend = new OriginalBackend(server);
        server.createContext("/", backend::handle);
        server.start();
        return backend;
    }

    public URI base() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort());
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            // FastAPI's root_path "/api": its routes answer with the prefix too (Keepsake calls it directly).
            String path = exchange.getRequestURI().getPath();
            switch (path.startsWith("/api/") ? path.substring(4) : path) {
                case "/login" -> {
                    exchange.getResponseHeaders().add("Set-Cookie", COOKIE + "=" + token + "; Path=/; HttpOnly; SameSite=Lax");
                    exchange.getResponseHeaders().add("Location", "/");
                    exchange.sendResponseHeaders(307, -1);
                }
                case "/logged_in_user" -> {
                    if (signedIn(exchange)) {
                        send(exchange, 200, "{\"user_id\":\"" + USER + "\",\"username\":\"ada@example.com\",\"display_name\":"
                                + "\"Ada\",\"avatar_b64str\":null,\"has_sumo_access\":true,\"has_smda_access\":true}");
                    } else {
                        send(exchange, 400, "{\"detail\":\"No user is logged in\"}");
                    }
                }
                case "/other" -> send(exchange, 200, "{\"path\":\"" + exchange.getRequestURI().getPath()
                        + "\",\"forwardedProto\":\"" + header(exchange, "X-Forwarded-Proto")
                        + "\",\"forwardedFor\":\"" + header(exchange, "X-Forwarded-For")
                        + "\",\"host\":\"" + header(exchange, "Host") + "\"}");
                default -> send(exchange, 404, "{\"detail\":\"Not Found\"}");
            }
        }
    }

    private boolean signedIn(HttpExchange exchange) {
        String cookies = exchange.getRequestHeaders().getFirst("Cookie");
        if (cookies == null) {
            return false;
        }
        for (String cookie : cookies.split(";")) {
            if (cookie.trim().equals(COOKIE + "=" + token)) {
                return true;
            }
        }
        return false;
    }

    private static String header(HttpExchange exchange, String name) {
        return String.valueOf(exchange.getRequestHeaders().getFirst(name));
    }

    private static void send(HttpExchange exchange, int status, String json) throws IOException {
        byte[] body = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().add("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, body.length);
        exchange.getResponseBody().write(body);
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
