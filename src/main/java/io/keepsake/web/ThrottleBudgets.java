package io.keepsake.web;

import jakarta.enterprise.event.Observes;

import io.keepsake.store.Throttled;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * One budget per HTTP request for sending again the store commands Cosmos DB throttled (see
 * {@link Throttled}): a request answers within keepsake.store.throttle-retry-within of its first
 * throttled command, however many commands it sends. A WebSocket's upgrade is left out: its
 * connection outlives the request, and its commands keep a budget each.
 */
class ThrottleBudgets {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(ctx -> {
            if (!"websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
                Runnable end = Throttled.shareBudget();
                ctx.addEndHandler(ended -> end.run());
            }
            ctx.next();
        });
    }
}
