package io.keepsake.web;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Request;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;

import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.jboss.resteasy.reactive.RestResponse;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.mongodb.MongoException;

import io.keepsake.KeepsakeConfig;
import io.keepsake.security.OriginalSessions;
import io.keepsake.security.SignInMethods;
import io.keepsake.content.InvalidDraft;
import io.keepsake.store.InvalidIdException;
import io.keepsake.store.StoreErrors;
import io.quarkus.logging.Log;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.ForbiddenException;
import io.quarkus.security.UnauthorizedException;

/** The single place where failures become RFC 9457 {@code application/problem+json} responses. */
public class ProblemMapper {

    private final Duration retryAfter;
    private final Meters meters;
    private final String challenge;
    private final String formPostLocation;
    private final String formErrorPage;

    public ProblemMapper(KeepsakeConfig config, Meters meters, SignInMethods signIn,
            @ConfigProperty(name = "quarkus.http.auth.form.post-location", defaultValue = "/j_security_check")
            String formPostLocation,
            @ConfigProperty(name = "quarkus.http.auth.form.error-page", defaultValue = "/login?error=true")
            String formErrorPage) {
        this.retryAfter = config.store().retryAfter();
        this.meters = meters;
        // With no way to sign in configured at all, the scheme production is meant to use.
        this.challenge = signIn.challenge() != null ? signIn.challenge() : "Bearer realm=\"Keepsake\"";
        this.formPostLocation = formPostLocation;
        this.formErrorPage = formErrorPage.startsWith("/") ? formErrorPage.substring(1) : formErrorPage;
    }

    @ServerExceptionMapper
    public RestResponse<Problem> apiProblem(ApiProblem problem, UriInfo uri) {
        return respond(problem, uri);
    }

    /** Every store failure is a 503 the client may retry: an outage, a fail-over, a rotated credential, a closed client. */
    @ServerExceptionMapper
    public RestResponse<Problem> store(MongoException error, UriInfo uri, Request request) {
        return respond(storeFailure(error, request), uri);
    }

    /** A title, description or content against the rules: 400 naming the field, or 413 with the size and limit. */
    @ServerExceptionMapper
    public RestResponse<Problem> invalidDraft(InvalidDraft error, UriInfo uri) {
        return respond(problemOf(error), uri);
    }

    /**
     * The problem a request's own failure answers with (a rule it broke, a draft or id against the
     * rules, malformed JSON); null for the rest (the store's, the service's), which are not the
     * request's to answer for alone. What a batch answers its operations with.
     */
    public static ApiProblem problemOf(Throwable error) {
        if (error instanceof ApiProblem problem) {
            return problem;
        }
        if (error instanceof InvalidDraft draft) {
            return problemOf(draft);
        }
        if (error instanceof InvalidIdException invalidId) {
            return ApiProblem.badRequest(invalidId.getMessage());
        }
        if (error instanceof JsonProcessingException malformed) {
            return ApiProblem.badRequest("Malformed JSON: " + malformed.getOriginalMessage());
        }
        return null;
    }

    public static ApiProblem problemOf(InvalidDraft error) {
        ApiProblem problem = error.tooLarge() ? ApiProblem.contentTooLarge(error.getMessage())
                : error.field() != null ? ApiProblem.invalidField(error.field(), error.getMessage())
                : ApiProblem.badRequest(error.getMessage());
        error.details().forEach(problem::with);
        return problem;
    }

    @ServerExceptionMapper
    public RestResponse<Problem> invalidId(InvalidIdException error, UriInfo uri) {
        return respond(ApiProblem.badRequest(error.getMessage()), uri);
    }

    /**
     * 503. Throttled by Cosmos DB (nothing applied), with the store's RetryAfterMs rounded up to
     * whole seconds as Retry-After. Otherwise a write that failed on its way to or from the store,
     * or whose store command missed its deadline, may or may not have been applied: its problem says
     * so, and that repeating it with the same {@code Idempotency-Key} settles it.
     */
    ApiProblem storeFailure(Throwable error, Request request) {
        if (StoreErrors.isUnavailable(error)) {
            Log.warnf("Store unavailable: %s", error.getMessage());
        } else {
            Log.errorf(error, "Store operation failed");
        }
        String method = request.getMethod();
        boolean write = !method.equals("GET") && !method.equals("HEAD");
        return StoreErrors.retryAfter(error).map(delay -> ApiProblem.unavailable("The store is busy; retry later",
                        Duration.ofSeconds((delay.toMillis() + 999) / 1000)))
                .orElseGet(() -> ApiProblem.unavailable(write
                        ? "The store is unavailable; retry later. The write may or may not have been applied: "
                                + "repeat it with the same Idempotency-Key to apply it exactly once"
                        : "The store is unavailable; retry later", retryAfter));
    }

    /** Whether the caller is signed in could not be told (the original workbench's sign-in did not answer): 503. */
    @ServerExceptionMapper
    public RestResponse<Problem> signInUnavailable(OriginalSessions.Unavailable error, UriInfo uri) {
        Log.warnf("Sign-in unavailable: %s", error.getMessage());
        return respond(ApiProblem.unavailable("Who is signed in could not be told: the workbench's sign-in did not answer; "
                + "retry later", retryAfter), uri);
    }

    /**
     * 401 with a challenge; but a failed login at the login form's post location sends the browser
     * back to the form's error page, as Quarkus' form authentication would.
     */
    @ServerExceptionMapper({AuthenticationFailedException.class, UnauthorizedException.class})
    public RestResponse<Problem> unauthenticated(UriInfo uri, HttpHeaders headers, Request request) {
        if (request.getMethod().equals("POST") && uri.getPath().equals(formPostLocation)) {
            meters.problem(401);
            return RestResponse.ResponseBuilder.<Problem>create(302).location(uri.getBaseUri().resolve(formErrorPage))
                    .header(HttpHeaders.CACHE_CONTROL, "no-store").build();
        }
        return respond(new ApiProblem(401, "Unauthorized", "Authentication is required")
                .header(HttpHeaders.WWW_AUTHENTICATE, challengeFor(headers)), uri);
    }

    /**
     * A page's script that is not signed in gets a challenge its browser does not answer with a
     * password dialog (which a Basic challenge would open): it is to send its user to sign in.
     */
    private String challengeFor(HttpHeaders headers) {
        String mode = headers.getHeaderString("Sec-Fetch-Mode");
        boolean script = mode != null && !mode.equalsIgnoreCase("navigate");
        return script && headers.getHeaderString(HttpHeaders.AUTHORIZATION) == null && challenge.contains("Basic")
                ? "Session realm=\"Keepsake\"" : challenge;
    }

    @ServerExceptionMapper
    public RestResponse<Problem> forbidden(ForbiddenException error, UriInfo uri) {
        return respond(new ApiProblem(403, "Forbidden", "Not allowed for this user"), uri);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> json(JsonProcessingException error, UriInfo uri) {
        return respond(ApiProblem.badRequest("Malformed JSON: " + error.getOriginalMessage()), uri);
    }

    /** Framework errors: unknown path (404), wrong method (405), wrong media type (415), bad parameter (400). */
    @ServerExceptionMapper
    public RestResponse<Problem> web(WebApplicationException error, UriInfo uri) {
        Response response = error.getResponse();
        int status = response.getStatus();
        Response.StatusType type = Response.Status.fromStatusCode(status);
        String title = type != null ? type.getReasonPhrase() : "HTTP " + status;
        ApiProblem problem = new ApiProblem(status, title, detailFor(status, error));
        for (Map.Entry<String, List<Object>> header : response.getHeaders().entrySet()) {
            if (!header.getKey().equalsIgnoreCase(HttpHeaders.CONTENT_TYPE) && !header.getValue().isEmpty()) {
                problem.header(header.getKey(), String.valueOf(header.getValue().get(0)));
            }
        }
        return respond(problem, uri);
    }

    @ServerExceptionMapper
    public RestResponse<Problem> unexpected(RuntimeException error, UriInfo uri, Request request) {
        if (StoreErrors.isStoreFailure(error)) {
            return respond(storeFailure(error, request), uri);
        }
        Log.errorf(error, "Unexpected failure on %s", uri.getPath());
        return respond(new ApiProblem(500, "Internal Server Error", "An unexpected error occurred"), uri);
    }

    private static String detailFor(int status, WebApplicationException error) {
        return switch (status) {
            case 404 -> "No resource at this path";
            case 405 -> "Method not allowed on this resource";
            case 406 -> "This resource cannot produce the requested media type";
            case 415 -> "Unsupported media type: send application/json";
            default -> error.getMessage();
        };
    }

    private RestResponse<Problem> respond(ApiProblem problem, UriInfo uri) {
        meters.problem(problem.status());
        RestResponse.ResponseBuilder<Problem> builder = RestResponse.ResponseBuilder
                .<Problem>create(problem.status())
                .type(Problem.MEDIA_TYPE)
                .entity(problem.toProblem(uri.getPath()));
        problem.headers().forEach(builder::header);
        return builder.build();
    }
}
