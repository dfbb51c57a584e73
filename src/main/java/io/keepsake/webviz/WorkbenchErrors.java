package io.keepsake.webviz;

import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.core.MediaType;

import jakarta.enterprise.context.ApplicationScoped;

import org.jboss.resteasy.reactive.server.ServerResponseFilter;

import io.keepsake.KeepsakeConfig;
import io.keepsake.web.ErrorBodies;
import io.keepsake.web.Problem;

/**
 * Errors on the original workbench's surface in its own shape, {@code {"error": {"type",
 * "message", "service"}}}, which its front end shows the message of. Every failure becomes a
 * problem first (one error vocabulary, {@code web.ProblemMapper}); here, on this surface only,
 * the problem's status and headers stay and its body is rewritten. Types are the original
 * service's names.
 */
@ApplicationScoped
class WorkbenchErrors implements ErrorBodies {

    private final String prefix;

    WorkbenchErrors(KeepsakeConfig config) {
        this.prefix = WorkbenchPrefix.normalize(config.webviz().prefix()) + "/persistence/";
    }

    @ServerResponseFilter
    void rewrite(ContainerRequestContext request, ContainerResponseContext response) {
        if (response.getEntity() instanceof Problem problem && covers(request.getUriInfo().getPath())) {
            response.setEntity(body(problem.getStatus(), problem.getDetail()), null, MediaType.APPLICATION_JSON_TYPE);
        }
    }

    /** The surface's own paths, and those under the configured prefix that lead there. */
    @Override
    public boolean covers(String path) {
        return path.startsWith(WorkbenchApi.ROOT + "/") || path.startsWith(prefix);
    }

    @Override
    public WorkbenchViews.ErrorBody body(int status, String message) {
        return bodyOf(status, message);
    }

    static WorkbenchViews.ErrorBody bodyOf(int status, String message) {
        String service = status == 401 || status == 403 ? "general" : "database";
        return new WorkbenchViews.ErrorBody(new WorkbenchViews.ErrorBody.Error(type(status), message, service));
    }

    private static String type(int status) {
        return switch (status) {
            case 400, 415, 422 -> "RequestValidationError";
            case 401, 403 -> "AuthorizationError";
            case 404 -> "NoDataError";
            case 409, 412, 413, 428 -> "ServiceRequestError";
            case 429, 503 -> "ServiceUnavailableError";
            case 500 -> "InternalError";
            default -> "GeneralError";
        };
    }
}
