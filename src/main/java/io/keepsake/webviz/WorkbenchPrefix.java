package io.keepsake.webviz;

import jakarta.enterprise.event.Observes;

import io.keepsake.KeepsakeConfig;
import io.quarkus.logging.Log;
import io.vertx.ext.web.Router;

/**
 * Serves the surface under the configured prefix ({@code keepsake.webviz.prefix}): requests to
 * {prefix}/persistence/... are routed to the resources at {@value WorkbenchApi#ROOT}, which a path
 * annotation fixes at build time. With the default prefix there is nothing to do.
 */
class WorkbenchPrefix {

    void install(@Observes Router router, KeepsakeConfig config) {
        String prefix = normalize(config.webviz().prefix());
        String root = WorkbenchApi.ROOT.substring(0, WorkbenchApi.ROOT.length() - "/persistence".length());
        if (prefix.equals(root)) {
            return;
        }
        Log.infof("The original workbench's surface is served under %s/persistence", prefix);
        router.route(prefix + "/persistence/*").order(Integer.MIN_VALUE + 1).handler(ctx -> {
            String query = ctx.request().query();
            String path = root + ctx.request().path().substring(prefix.length());
            ctx.reroute(ctx.request().method(), query == null ? path : path + '?' + query);
        });
    }

    /** A leading slash and no trailing one: {@code webviz/} becomes {@code /webviz}. */
    static String normalize(String prefix) {
        String trimmed = prefix.trim();
        while (trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        return trimmed.startsWith("/") ? trimmed : "/" + trimmed;
    }
}
