package io.keepsake.web;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Refuses a body larger than the limit with a problem body, before it is buffered whole: a declared
 * Content-Length over the limit before any of the body is read; a chunked body (no length declared)
 * as soon as the bytes received pass the limit. An HTTP/2 body without a declared length is left to
 * the REST layer, which enforces the same limit as it reads (reading it here first would leave
 * that layer an ended stream, which HTTP/2 refuses to pause).
 */
class BodyLimit {

    void install(@Observes Router router, Meters meters,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        long max = limit.asLongValue();
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(max).setHandleFileUploads(false);
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            String declared = ctx.request().getHeader(HttpHeaders.CONTENT_LENGTH);
            if (declared != null && parse(declared) > max) {
                refuse(ctx, meters, "Request body of " + declared.trim() + " bytes exceeds the limit of " + max + " bytes");
                return;
            }
            if (declared == null && hasBody(ctx.request().method()) && ctx.request().version() != HttpVersion.HTTP_2) {
                // Read it here, counting: over the limit, the failure handler below answers.
                chunked.handle(ctx);
                return;
            }
            ctx.next();
        }).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().ended()) {
                refuse(ctx, meters, "Request body exceeds the limit of " + max + " bytes");
            } else {
                ctx.next();
            }
        });
    }

    private static boolean hasBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }

    private static void refuse(RoutingContext ctx, Meters meters, String detail) {
        meters.problem(413);
        String body = new JsonObject().put("title", "Content Too Large").put("status", 413).put("detail", detail)
                .put("instance", ctx.normalizedPath()).encode();
        ctx.response().setStatusCode(413)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE)
                .putHeader(HttpHeaders.CONNECTION, "close")
                .end(body);
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
