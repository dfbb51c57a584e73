package io.keepsake.web;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one exception type that rules throw to end a request with a problem response.
 * Static factories name the cases; {@link ProblemMapper} turns it into {@code application/problem+json}.
 */
public final class ApiProblem extends RuntimeException {

    private final int status;
    private final String title;
    private final Map<String, Object> extensions = new LinkedHashMap<>();
    private final Map<String, String> headers = new LinkedHashMap<>();

    public ApiProblem(int status, String title, String detail) {
        super(detail, null, false, false);
        this.status = status;
        this.title = title;
    }

    public static ApiProblem badRequest(String detail) {
        return new ApiProblem(400, "Bad Request", detail);
    }

    public static ApiProblem invalidField(String field, String detail) {
        return badRequest(detail).with("field", field);
    }

    public static ApiProblem notFound(String what) {
        return new ApiProblem(404, "Not Found", what + " not found");
    }

    public static ApiProblem conflict(String detail) {
        return new ApiProblem(409, "Conflict", detail);
    }

    public static ApiProblem preconditionFailed(String detail) {
        return new ApiProblem(412, "Precondition Failed", detail);
    }

    public static ApiProblem contentTooLarge(String detail) {
        return new ApiProblem(413, "Content Too Large", detail);
    }

    public static ApiProblem unprocessable(String detail) {
        return new ApiProblem(422, "Unprocessable Content", detail);
    }

    public static ApiProblem preconditionRequired(String detail) {
        return new ApiProblem(428, "Precondition Required", detail);
    }

    public static ApiProblem unavailable(String detail, Duration retryAfter) {
        return new ApiProblem(503, "Service Unavailable", detail).retryAfter(retryAfter);
    }

    /** Adds an extension member to the problem body. */
    public ApiProblem with(String name, Object value) {
        extensions.put(name, value);
        return this;
    }

    public ApiProblem header(String name, String value) {
        headers.put(name, value);
        return this;
    }

    public ApiProblem retryAfter(Duration delay) {
        return header("Retry-After", Long.toString(Math.max(1, delay.toSeconds())));
    }

    public Object extension(String name) {
        return extensions.get(name);
    }

    public int status() {
        return status;
    }

    public Map<String, String> headers() {
        return headers;
    }

    public Problem toProblem(String instance) {
        return new Problem(title, status, getMessage(), instance, extensions);
    }
}
