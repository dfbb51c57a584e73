package io.keepsake.web;

import jakarta.enterprise.event.Observes;

import io.keepsake.store.StoreDeadline;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;

/**
 * One store deadline per HTTP request (see {@link StoreDeadline}): however many store commands a
 * request sends, together they wait for the store at most keepsake.store.request-deadline, and
 * they share one budget (keepsake.store.throttle-retry-within) for sending again what Cosmos DB
 * throttled. A WebSocket's upgrade is left out: its connection outlives the request, and its
 * commands have a deadline each.
 */
class StoreDeadlines {

    void install(@Observes Router router) {
        router.route().order(Integer.MIN_VALUE + 2).handler(ctx -> {
            if (!"websocket".equalsIgnoreCase(ctx.request().getHeader(HttpHeaders.UPGRADE))) {
                Runnable end = StoreDeadline.startRequest();
                ctx.addEndHandler(ended -> end.run());
            }
            ctx.next();
        });
    }
}
