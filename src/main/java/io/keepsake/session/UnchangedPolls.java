package io.keepsake.session;

import jakarta.enterprise.event.Observes;

import io.keepsake.web.EntityTags.Condition;
import io.quarkus.security.identity.SecurityIdentity;
import io.quarkus.vertx.http.runtime.RouteConstants;
import io.quarkus.vertx.http.runtime.security.QuarkusHttpUser;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpHeaders;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The poll that finds nothing new, answered ahead of the REST layer: a metadata read whose
 * If-None-Match holds the tag {@link SessionTags} vouches for gets its 304 here, once the caller is
 * authenticated the way any request is. Everything else (no tag or another one, a tag not vouched
 * for, an anonymous caller or failed sign-in, a malformed header) goes on to
 * {@link SessionResource#metadata}, which gives the same answer to the same request, only with more
 * work per request: polls are most of a workbench's traffic, and nearly all of them are this one.
 */
class UnchangedPolls {

    static final String PATH = "/persistence/sessions/metadata/:id";

    void install(@Observes Router router, SessionTags tags) {
        // After Quarkus' filters (CORS, authorization), before the REST layer's route.
        router.get(PATH).order(RouteConstants.ROUTE_ORDER_BEFORE_DEFAULT).handler(ctx -> {
            String ifNoneMatch = ctx.request().getHeader(HttpHeaders.IF_NONE_MATCH);
            Uni<SecurityIdentity> identity = ctx.get(QuarkusHttpUser.DEFERRED_IDENTITY_KEY);
            if (ifNoneMatch == null || identity == null) {
                ctx.next();
                return;
            }
            Context loop = Vertx.currentContext();
            identity.subscribe().with(
                    caller -> onLoop(loop, () -> answer(ctx, tags, caller, ifNoneMatch)),
                    failed -> onLoop(loop, ctx::next)); // the REST layer answers the failure
        });
    }

    private static void answer(RoutingContext ctx, SessionTags tags, SecurityIdentity caller, String ifNoneMatch) {
        String current = caller.isAnonymous() ? null : tags.current(caller.getPrincipal().getName(), ctx.pathParam("id"));
        Condition condition = current == null ? null : Condition.parse(ifNoneMatch);
        if (condition == null || condition.any() || !condition.matchesWeak(current)) {
            ctx.next();
            return;
        }
        ctx.response().setStatusCode(304)
                .putHeader(HttpHeaders.ETAG, current)
                .putHeader(HttpHeaders.CACHE_CONTROL, SessionResource.CACHE_CONTROL)
                .end();
    }

    private static void onLoop(Context loop, Runnable action) {
        if (loop == null || Vertx.currentContext() == loop) {
            action.run();
        } else {
            loop.runOnContext(ignored -> action.run());
        }
    }
}
