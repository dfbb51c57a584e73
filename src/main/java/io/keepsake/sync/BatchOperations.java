package io.keepsake.sync;

import java.util.List;
import java.util.function.UnaryOperator;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.keepsake.session.SessionRequests;
import io.keepsake.session.StateRequests;
import io.keepsake.snapshot.SnapshotRequests;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.Json;
import io.keepsake.web.ProblemMapper;
import io.keepsake.web.StoredResponse;
import io.smallrye.mutiny.Uni;

/**
 * Runs one operation of a batch through the same requests a single one goes through (rate, quota,
 * conditional write, Idempotency-Key, notices, history), with its references resolved, and answers
 * with what a single request would have: its response, or its problem. A failure that is no
 * request's own (the store's) is not turned into a result: it ends the batch as it would a request.
 */
@ApplicationScoped
class BatchOperations {

    private final SessionRequests sessions;
    private final StateRequests states;
    private final SnapshotRequests snapshots;
    private final Json json;

    BatchOperations(SessionRequests sessions, StateRequests states, SnapshotRequests snapshots, Json json) {
        this.sessions = sessions;
        this.states = states;
        this.snapshots = snapshots;
        this.json = json;
    }

    /** Runs {@code op} after {@code done}, the outcomes of the operations before it. */
    Uni<Outcome> run(String user, String clientId, BatchOperation op, List<Outcome> done) {
        return Uni.createFrom().deferred(() -> {
            if (op.malformed() != null) {
                throw op.malformed();
            }
            References references = new References(done);
            String target = references.id(op.target(), op.number());
            String ifMatch = references.etag(op.ifMatch(), op.number());
            return dispatch(user, clientId, op, target, ifMatch, body(op, references))
                    .map(response -> Outcome.answered(response, target));
        }).onFailure(error -> ProblemMapper.problemOf(error) != null)
                .recoverWithItem(error -> failed(op, ProblemMapper.problemOf(error)));
    }

    /** The answer of an operation that is not run: 424 because an earlier one failed under stopOnError. */
    Outcome notRun(BatchOperation op, int failed) {
        return failed(op, References.failedDependency(failed, "Operation " + op.number() + " was not run: operation "
                + failed + " failed and the batch has stopOnError"));
    }

    private Uni<StoredResponse> dispatch(String user, String clientId, BatchOperation op, String target, String ifMatch,
            byte[] body) {
        String key = op.idempotencyKey();
        return switch (op.kind()) {
            case SESSION_CREATE -> sessions.create(user, body, key, clientId);
            case SESSION_REPLACE -> sessions.replace(user, target, ifMatch, key, clientId, body);
            case SESSION_PATCH -> sessions.patch(user, target, ifMatch, key, clientId, body);
            case SESSION_DELETE -> sessions.delete(user, target, ifMatch, key, clientId);
            case STATE_PUT -> states.put(user, target, ifMatch, op.ifNoneMatch(), key, clientId, body);
            case STATE_PATCH -> states.patch(user, target, ifMatch, key, clientId, body);
            case STATE_DELETE -> states.delete(user, target, ifMatch, key, clientId);
            case SNAPSHOT_CREATE -> snapshots.create(user, body, key, clientId);
        };
    }

    /** The body as a single request would send it; a snapshot's {@code sessionId} and {@code sessionEtag} may be references. */
    private byte[] body(BatchOperation op, References references) {
        JsonNode body = op.body();
        if (body == null) {
            return null;
        }
        if (op.kind() == BatchOperation.Kind.SNAPSHOT_CREATE) {
            body = resolved(body, "sessionId", value -> references.id(value, op.number()));
            body = resolved(body, "sessionEtag", value -> references.etag(value, op.number()));
        }
        return json.bytes(body);
    }

    /** {@code body} with its text {@code field} resolved, when it is a reference ({@code $n}). */
    private static JsonNode resolved(JsonNode body, String field, UnaryOperator<String> resolve) {
        if (!body.path(field).isTextual()) {
            return body;
        }
        String value = body.path(field).asText();
        String resolved = resolve.apply(value);
        return resolved.equals(value) ? body : ((ObjectNode) body.deepCopy()).set(field, TextNode.valueOf(resolved));
    }

    private Outcome failed(BatchOperation op, ApiProblem problem) {
        String instance = op.path() == null ? "/persistence/batch"
                : op.path().startsWith("/persistence/") ? op.path() : "/persistence" + op.path();
        return Outcome.failed(problem, json.write(problem.toProblem(instance)));
    }
}
