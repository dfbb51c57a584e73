package io.keepsake.sync;

import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.core.HttpHeaders;

import io.keepsake.web.ApiProblem;
import io.keepsake.web.StoredResponse;

/**
 * What an operation of a batch came to: its result, and the id it created or wrote (what
 * {@code $n} in a later path stands for).
 */
record Outcome(BatchViews.Result result, String id) {

    static Outcome answered(StoredResponse response, String target) {
        Map<String, String> headers = new LinkedHashMap<>();
        if (response.etag() != null) {
            headers.put(HttpHeaders.ETAG, response.etag());
        }
        String id = target;
        if (response.location() != null) {
            headers.put(HttpHeaders.LOCATION, response.location());
            id = response.location().substring(response.location().lastIndexOf('/') + 1);
        }
        return new Outcome(new BatchViews.Result(response.status(), headers, response.body()), id);
    }

    static Outcome failed(ApiProblem problem, String body) {
        Map<String, String> headers = new LinkedHashMap<>(problem.headers());
        return new Outcome(new BatchViews.Result(problem.status(), headers, body), null);
    }

    boolean succeeded() {
        return result.status() < 400;
    }

    String etag() {
        return result.headers().get(HttpHeaders.ETAG);
    }
}
