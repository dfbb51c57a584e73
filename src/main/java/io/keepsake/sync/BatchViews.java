package io.keepsake.sync;

import java.util.List;
import java.util.Map;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonRawValue;

import io.keepsake.web.KeepsakeApi;
import io.quarkus.runtime.annotations.RegisterForReflection;

/** What {@code POST /persistence/batch} takes and answers, as JSON and as the API description shows it. */
final class BatchViews {

    private BatchViews() {
    }

    @Schema(name = "BatchRequest", description = "Writes to run in order, each as it would be sent alone")
    record Request(
            @Schema(required = true, maxItems = 100, description = "At most keepsake.batch.max-operations (100)")
            List<Operation> operations,
            @Schema(description = "When true, the operations after the first that fails are not run (424); "
                    + "false by default") Boolean stopOnError) {
    }

    @Schema(name = "BatchOperation", description = "One write; $n in path, If-Match (and a snapshot's sessionId) "
            + "stands for operation n's created id or answered ETag")
    record Operation(
            @Schema(required = true, enumeration = {"POST", "PUT", "PATCH", "DELETE"}) String method,
            @Schema(required = true, description = "/sessions, /sessions/{id}, /states/{key} or /snapshots "
                    + "(e.g. /sessions/$1)") String path,
            @Schema(description = "If-Match, If-None-Match, Idempotency-Key") Map<String, String> headers,
            @Schema(ref = KeepsakeApi.JSON_VALUE, description = "The body a single request would send") Object body) {
    }

    @Schema(name = "BatchResults", description = "One result per operation, in order")
    @RegisterForReflection
    record Results(List<Result> results) {
    }

    @Schema(name = "BatchResult", description = "An operation's answer as a single request would have had it")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @RegisterForReflection
    record Result(
            @Schema(description = "Its status: 200, 201, 204, or a problem's (400, 404, 412, 413, 424, 428, 429, ...)")
            int status,
            @Schema(description = "ETag and Location when it has them (Retry-After with a 429)") Map<String, String> headers,
            @Schema(ref = KeepsakeApi.JSON_VALUE, description = "Its body: metadata, or an RFC 9457 problem; "
                    + "none for a 204") @JsonRawValue String body) {
    }
}
