package io.keepsake.web;

import java.lang.reflect.Method;

import jakarta.enterprise.event.Observes;

import io.quarkus.logging.Log;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.vertx.http.runtime.filters.QuarkusRequestWrapper;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;

/**
 * Graceful shutdown counts every HTTP request until its response ends; a request upgraded to a
 * WebSocket never ends as far as that count knows, so an instance that had served one socket waited
 * out the whole shutdown time-out (20 s) on every stop. When an upgraded connection closes, this
 * tells the count that its request is done. (Quarkus 3.34 marks requests done only from the
 * response's own handlers, which a WebSocket does not call; the method is package-private.)
 */
@RegisterForReflection(targets = QuarkusRequestWrapper.class, methods = true)
class UpgradedRequests {

    private static final Method DONE = doneMethod();

    void install(@Observes Router router) {
        if (DONE == null) {
            return;
        }
        router.route().order(Integer.MIN_VALUE + 1).handler(ctx -> {
            HttpServerRequest request = ctx.request();
            if ("websocket".equalsIgnoreCase(request.getHeader(HttpHeaders.UPGRADE))) {
                QuarkusRequestWrapper tracked = QuarkusRequestWrapper.get(request);
                if (tracked != null) {
                    request.connection().closeHandler(closed -> done(tracked));
                }
            }
            ctx.next();
        });
    }

    private static void done(QuarkusRequestWrapper request) {
        try {
            DONE.invoke(request);
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.debugf("Could not mark an upgraded request done: %s", e.getMessage());
        }
    }

    private static Method doneMethod() {
        try {
            Method done = QuarkusRequestWrapper.class.getDeclaredMethod("done");
            done.setAccessible(true);
            return done;
        } catch (ReflectiveOperationException | RuntimeException e) {
            Log.warnf("Shutdown may wait for closed WebSockets (%s)", e.getMessage());
            return null;
        }
    }
}
