package io.keepsake.bench;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

import com.sun.net.httpserver.HttpServer;

/** The HTTP benchmark's reference: a JDK HTTP server that answers with a fixed body and does nothing else. */
final class BareServer {

    private BareServer() {
    }

    /** Answers /bare/{bytes}[?status=304] with that many bytes, after reading the request body. */
    static HttpServer start() throws IOException {
        // Without TCP_NODELAY the JDK server's separate header and body writes wait out delayed ACKs (40 ms).
        System.setProperty("sun.net.httpserver.nodelay", "true");
        HttpServer server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 1024);
        ExecutorService pool = Executors.newFixedThreadPool(4, runnable -> {
            Thread thread = new Thread(runnable, "bare-server");
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(pool);
        server.createContext("/bare/", exchange -> {
            exchange.getRequestBody().readAllBytes();
            String path = exchange.getRequestURI().getPath();
            int size = Integer.parseInt(path.substring(path.lastIndexOf('/') + 1));
            boolean notModified = "status=304".equals(exchange.getRequestURI().getQuery());
            if (notModified) {
                exchange.getResponseHeaders().set("ETag", "\"1-abc\"");
                exchange.sendResponseHeaders(304, -1);
            } else {
                exchange.getResponseHeaders().set("Content-Type", "application/json");
                byte[] body = new byte[size];
                java.util.Arrays.fill(body, (byte) 'x');
                exchange.sendResponseHeaders(200, size);
                try (OutputStream out = exchange.getResponseBody()) {
                    out.write(body);
                }
            }
            exchange.close();
        });
        server.start();
        return server;
    }
}
