package io.keepsake.web;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;

/**
 * Refuses a request whose declared Content-Length exceeds the body limit before any of the body
 * is read, with a problem body (the HTTP layer enforces the same limit on chunked bodies as they
 * stream in).
 */
class BodyLimit {

    void install(@Observes Router router, Meters meters,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        long max = limit.asLongValue();
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && parse(declared) > max) {
                meters.problem(413);
                String body = new JsonObject().put("title", "Content Too Large").put("status", 413)
                        .put("detail", "Request body of " + declared.trim() + " bytes exceeds the limit of " + max + " bytes")
                        .put("instance", ctx.normalizedPath()).encode();
                ctx.response().setStatusCode(413)
                        .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                        .putHeader(HttpHeaders.CONNECTION, "close")
                        .end(body);
                return;
            }
            ctx.next();
        });
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
