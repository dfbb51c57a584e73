package io.keepsake.web;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

import jakarta.enterprise.event.Observes;

import org.eclipse.microprofile.config.inject.ConfigProperty;

import io.keepsake.KeepsakeConfig;
import io.keepsake.config.BodiesConfig;
import io.quarkus.runtime.configuration.MemorySize;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * Bounds what request bodies cost before any of one is buffered:
 * <ul>
 * <li><b>Size.</b> A declared Content-Length over the limit is 413 before any of the body is read;
 * a chunked body (no length declared) as soon as the bytes received pass the limit.</li>
 * <li><b>Memory.</b> Bodies being received share {@code keepsake.bodies.in-flight}, each
 * counted at its declared length (or the limit, when it declares none) from its first byte to its
 * answer; one that would pass it is 503 with Retry-After at once. Requests with no credentials at
 * all share a small budget of their own, under a small size limit: they are refused later anyway,
 * so that they can never hold the memory signed-in users' saves need.</li>
 * <li><b>Time.</b> A body that has not arrived in full within {@code keepsake.bodies.read-timeout} is 408 and
 * its connection is closed, so that slow uploads do not hold their share for ever.</li>
 * </ul>
 * An HTTP/2 body without a declared length is read by the REST layer, which enforces the same
 * limit as it reads (reading it here first would leave that layer an ended stream, which HTTP/2
 * refuses to pause); it is counted at the limit.
 */
class BodyLimit {

    void install(@Observes Router router, Meters meters, KeepsakeConfig config,
            @ConfigProperty(name = "quarkus.http.limits.max-body-size") MemorySize limit) {
        BodiesConfig limits = config.bodies();
        long max = limit.asLongValue();
        long anonymousMax = Math.min(max, limits.anonymousSize().asLongValue());
        Budget signedIn = new Budget(limits.inFlight().asLongValue(), "keepsake.bodies.in-flight");
        Budget anonymous = new Budget(limits.anonymousInFlight().asLongValue(),
                "keepsake.bodies.anonymous-in-flight");
        long timeout = Math.max(1, limits.readTimeout().toMillis());
        BodyHandler chunked = BodyHandler.create(false).setBodyLimit(max).setHandleFileUploads(false);
        BodyHandler chunkedAnonymous = BodyHandler.create(false).setBodyLimit(anonymousMax).setHandleFileUploads(false);
        router.route().order(Integer.MIN_VALUE).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            if (!hasBody(request.method())) {
                ctx.next();
                return;
            }
            boolean withoutCredentials = withoutCredentials(request);
            long most = withoutCredentials ? anonymousMax : max;
            String declared = request.getHeader(HttpHeaders.CONTENT_LENGTH);
            long length = declared == null ? most : parse(declared);
            if (length > most) {
                tooLarge(ctx, meters, "Request body of " + declared.trim() + " bytes exceeds the limit of " + most
                        + " bytes" + (withoutCredentials ? " for a request without credentials" : ""));
                return;
            }
            if (length <= 0) {
                ctx.next();
                return;
            }
            Budget budget = withoutCredentials ? anonymous : signedIn;
            if (!budget.take(length)) {
                meters.problem(503);
                respond(ctx, 503, "Service Unavailable", "Too many request bodies are being received; retry shortly",
                        budget.setting, true);
                return;
            }
            AtomicBoolean returned = new AtomicBoolean();
            long timer = ctx.vertx().setTimer(timeout, id -> {
                if (!request.isEnded() && !ctx.response().ended()) {
                    meters.problem(408);
                    respond(ctx, 408, "Request Timeout", "The request body did not arrive in time", null, true);
                    request.connection().close();
                }
            });
            ctx.addEndHandler(done -> {
                ctx.vertx().cancelTimer(timer);
                if (returned.compareAndSet(false, true)) {
                    budget.give(length);
                }
            });
            if (declared == null && request.version() != HttpVersion.HTTP_2) {
                // Read it here, counting: over the limit, the failure handler below answers.
                (withoutCredentials ? chunkedAnonymous : chunked).handle(ctx);
                return;
            }
            ctx.next();
        }).failureHandler(ctx -> {
            if (ctx.statusCode() == 413 && !ctx.response().ended()) {
                boolean withoutCredentials = withoutCredentials(ctx.request());
                tooLarge(ctx, meters, "Request body exceeds the limit of " + (withoutCredentials ? anonymousMax : max)
                        + " bytes" + (withoutCredentials ? " for a request without credentials" : ""));
            } else {
                ctx.next();
            }
        });
    }

    /** Bytes of bodies that may be received at once. */
    private static final class Budget {

        private final AtomicLong left;
        private final String setting;

        Budget(long bytes, String setting) {
            this.left = new AtomicLong(bytes);
            this.setting = setting;
        }

        boolean take(long bytes) {
            if (left.addAndGet(-bytes) >= 0) {
                return true;
            }
            left.addAndGet(bytes);
            return false;
        }

        void give(long bytes) {
            left.addAndGet(bytes);
        }
    }

    /** No Authorization header and no cookie: nothing that could sign the request in. */
    private static boolean withoutCredentials(HttpServerRequest request) {
        return request.getHeader(HttpHeaders.AUTHORIZATION) == null && request.getHeader(HttpHeaders.COOKIE) == null;
    }

    private static boolean hasBody(HttpMethod method) {
        return method == HttpMethod.POST || method == HttpMethod.PUT || method == HttpMethod.PATCH;
    }

    private static void tooLarge(RoutingContext ctx, Meters meters, String detail) {
        meters.problem(413);
        respond(ctx, 413, "Content Too Large", detail, null, true);
    }

    /** A problem body; {@code close}: and the connection closed after it (the body left unread). */
    private static void respond(RoutingContext ctx, int status, String title, String detail, String limit, boolean close) {
        JsonObject problem = new JsonObject().put("title", title).put("status", status).put("detail", detail)
                .put("instance", ctx.normalizedPath());
        if (limit != null) {
            problem.put("limit", limit);
        }
        HttpServerResponse response = ctx.response().setStatusCode(status)
                .putHeader(HttpHeaders.CONTENT_TYPE, Problem.MEDIA_TYPE);
        if (close) {
            response.putHeader(HttpHeaders.CONNECTION, "close");
        }
        if (status == 503) {
            response.putHeader(HttpHeaders.RETRY_AFTER, "1");
        }
        response.end(problem.encode());
    }

    private static long parse(String value) {
        try {
            return Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
