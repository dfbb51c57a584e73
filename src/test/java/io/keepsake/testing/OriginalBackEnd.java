package io.keepsake.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;

/**
 * A stand-in for the original workbench's back end, as far as signing in goes: its session cookie
 * ({@code session}) names a user at {@code GET /api/logged_in_user} (200 with {@code user_id}) or
 * nobody (400 "No user is logged in", as the original answers). Some cookies misbehave: "slow"
 * answers after 5 s, "broken" answers 502. It counts the calls per cookie and keeps the Cookie
 * headers it got. Started before the service, which is pointed at it. For a browser behind a proxy,
 * {@code GET /api/login} signs in as {@link #LOGIN} (sets the cookie, redirects to the front end)
 * and {@code /api/other} stands for the rest of its API, echoing the path and forwarded headers
 * that reached it. As the original (FastAPI with {@code root_path="/api"}, behind a proxy that strips
 * {@code /api}), each answers with and without {@code /api}.
 */
public class OriginalBackEnd implements QuarkusTestResourceLifecycleManager {

    /** Cookie value -> the user_id the original gives for it. */
    public static final Map<String, String> USERS = Map.of("alice-in-webviz", "5e1f0a0c-alice", "bob-in-webviz", "7a2b-bob",
            "carol-in-webviz", "c4r0-carol");

    /** The cookie value {@code /api/login} sets: a user of {@link #USERS}. */
    public static final String LOGIN = "alice-in-webviz";

    private static volatile OriginalBackEnd running;

    private final Map<String, AtomicInteger> calls = new ConcurrentHashMap<>();
    private final List<String> cookieHeaders = new CopyOnWriteArrayList<>();
    private HttpServer server;

    /** The instance the service under test asks. */
    public static OriginalBackEnd running() {
        return running;
    }

    public int port() {
        return server.getAddress().getPort();
    }

    /** How often the service asked about this cookie value. */
    public int calls(String cookie) {
        AtomicInteger count = calls.get(cookie);
        return count == null ? 0 : count.get();
    }

    /** The Cookie headers the service sent, in order. */
    public List<String> cookieHeaders() {
        return List.copyOf(cookieHeaders);
    }

    public static OriginalBackEnd startOn(String host) {
        OriginalBackEnd original = new OriginalBackEnd();
        try {
            original.server = HttpServer.create(new InetSocketAddress(host, 0), 0);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        original.server.setExecutor(Executors.newCachedThreadPool());
        for (String root : List.of("/api", "")) {
            original.server.createContext(root + "/logged_in_user", original::loggedInUser);
            original.server.createContext(root + "/login", OriginalBackEnd::login);
            original.server.createContext(root + "/other", OriginalBackEnd::other);
        }
        original.server.start();
        return original;
    }

    private void loggedInUser(HttpExchange exchange) throws IOException {
        String header = exchange.getRequestHeaders().getFirst("Cookie");
        cookieHeaders.add(String.valueOf(header));
        String session = null;
        for (String part : header == null ? new String[0] : header.split(";")) {
            String[] pair = part.trim().split("=", 2);
            if (pair.length == 2 && pair[0].equals("session")) {
                session = pair[1];
            }
        }
        if (session != null) {
            calls.computeIfAbsent(session, s -> new AtomicInteger()).incrementAndGet();
        }
        if ("slow".equals(session)) {
            try {
                Thread.sleep(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        String user = session == null ? null : USERS.get(session);
        if ("broken".equals(session)) {
            TestOidcProvider.json(exchange, 502, "{\"detail\":\"Bad gateway\"}");
        } else if (user == null) {
            TestOidcProvider.json(exchange, 400, "{\"detail\":\"No user is logged in\"}");
        } else {
            TestOidcProvider.json(exchange, 200, "{\"user_id\":\"" + user + "\",\"username\":\"" + user + "@example.com\",\"display_name\":null,"
                    + "\"avatar_b64str\":null,\"has_sumo_access\":true,\"has_smda_access\":false}");
        }
    }

    private static void login(HttpExchange exchange) throws IOException {
        exchange.getResponseHeaders().add("Set-Cookie", "session=" + LOGIN + "; Path=/; HttpOnly; SameSite=Lax");
        exchange.getResponseHeaders().add("Location", "/");
        exchange.sendResponseHeaders(307, -1);
        exchange.close();
    }

    private static void other(HttpExchange exchange) throws IOException {
        TestOidcProvider.json(exchange, 200, "{\"path\":\"" + exchange.getRequestURI().getPath()
                + "\",\"forwardedProto\":\"" + exchange.getRequestHeaders().getFirst("X-Forwarded-Proto")
                + "\",\"forwardedFor\":\"" + exchange.getRequestHeaders().getFirst("X-Forwarded-For") + "\"}");
    }

    public void close() {
        server.stop(0);
    }

    @Override
    public Map<String, String> start() {
        running = startOn("127.0.0.1");
        return Map.of("keepsake.sign-in.original.user-url", "http://127.0.0.1:" + running.port() + "/api/logged_in_user",
                "keepsake.sign-in.original.deadline", "1s");
    }

    @Override
    public void stop() {
        if (running != null) {
            running.close();
        }
    }
}
