package io.keepsake.testing;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

/** Fires many requests at once (really in parallel, not one after another) and collects the answers. */
public final class Http {

    private static final HttpClient CLIENT = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

    private Http() {
    }

    public static HttpRequest.Builder request(URI base, String path, String user) {
        String auth = Base64.getEncoder().encodeToString((user + ":" + user + "-secret").getBytes(StandardCharsets.UTF_8));
        return HttpRequest.newBuilder(base.resolve(path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Basic " + auth);
    }

    /** Sends {@code count} requests concurrently and waits for all of them. */
    public static List<HttpResponse<String>> concurrently(int count, IntFunction<HttpRequest> request) {
        List<HttpRequest> requests = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            requests.add(request.apply(i));
        }
        List<CompletableFuture<HttpResponse<String>>> futures = requests.stream()
                .map(r -> CLIENT.sendAsync(r, HttpResponse.BodyHandlers.ofString()))
                .toList();
        return futures.stream().map(CompletableFuture::join).toList();
    }
}
