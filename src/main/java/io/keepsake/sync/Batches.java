package io.keepsake.sync;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.KeepsakeConfig;
import io.keepsake.hashing.CanonicalJson;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.BodyWork;
import io.keepsake.web.Idempotency;
import io.keepsake.web.JsonBodies;
import io.keepsake.web.Json;
import io.keepsake.web.Keyed;
import io.keepsake.web.RateLimiter;
import io.keepsake.web.StoredResponse;
import io.smallrye.mutiny.Uni;

/**
 * A batch of writes: its limits (count and size), its operations run one after the other in order,
 * each through the requests a single one would make; its session writes' tokens taken at once from
 * the writer's bucket (a batch may take a full burst, {@code keepsake.batch.write-burst}); and its
 * own Idempotency-Key, under which its whole answer is kept as one record.
 */
@ApplicationScoped
class Batches {

    static final String MAX_OPERATIONS = "keepsake.batch.max-operations";
    static final String MAX_BYTES = "keepsake.batch.max-bytes";

    private final BatchOperations operations;
    private final JsonBodies bodies;
    private final BodyWork work;
    private final Idempotency idempotency;
    private final RateLimiter rateLimiter;
    private final Json json;
    private final int maxOperations;
    private final long maxBytes;

    Batches(BatchOperations operations, JsonBodies bodies, BodyWork work, Idempotency idempotency,
            RateLimiter rateLimiter, Json json, KeepsakeConfig config) {
        this.operations = operations;
        this.bodies = bodies;
        this.work = work;
        this.idempotency = idempotency;
        this.rateLimiter = rateLimiter;
        this.json = json;
        this.maxOperations = config.batch().maxOperations();
        this.maxBytes = config.batch().maxBytes().asLongValue();
    }

    /** A parsed batch: its operations (malformed ones answer 400 on their own) and whether to stop at a failure. */
    private record Parsed(List<BatchOperation> operations, boolean stopOnError) {
    }

    /** Runs the batch in {@code body}: 200 with one result per operation; 400 or 413 when the batch itself is wrong. */
    Uni<StoredResponse> run(String user, byte[] body, String idempotencyKey, String clientId) {
        if (body != null && body.length > maxBytes) {
            throw ApiProblem.contentTooLarge("The batch has " + body.length + " bytes; the limit is " + maxBytes + " ("
                    + MAX_BYTES + ")").with("limit", MAX_BYTES).with("size", body.length).with("maxSize", maxBytes);
        }
        int size = body == null ? 0 : body.length;
        return work.run(size, () -> parse(bodies.object(body))).onItem().transformToUni(batch -> {
            if (idempotencyKey == null) {
                return runAll(user, clientId, batch);
            }
            String fingerprint = CanonicalJson.sha256Hex(body, body.length);
            return idempotency.run(user, "POST /batch", idempotencyKey,
                    Keyed.update(fingerprint, token -> runAll(user, clientId, batch)), answer -> answer);
        });
    }

    private Parsed parse(JsonNode batch) {
        for (Iterator<String> names = batch.fieldNames(); names.hasNext(); ) {
            String name = names.next();
            if (!name.equals("operations") && !name.equals("stopOnError")) {
                throw ApiProblem.invalidField(name, "A batch has operations and stopOnError, not " + name);
            }
        }
        JsonNode stop = batch.path("stopOnError");
        if (!stop.isMissingNode() && !stop.isBoolean()) {
            throw ApiProblem.invalidField("stopOnError", "stopOnError must be true or false");
        }
        JsonNode list = batch.path("operations");
        if (!list.isArray() || list.isEmpty()) {
            throw ApiProblem.invalidField("operations", "A batch needs operations: an array of 1 to " + maxOperations);
        }
        if (list.size() > maxOperations) {
            throw ApiProblem.contentTooLarge("The batch has " + list.size() + " operations; the limit is " + maxOperations
                    + " (" + MAX_OPERATIONS + ")").with("limit", MAX_OPERATIONS).with("operations", list.size())
                    .with("maxOperations", maxOperations);
        }
        List<BatchOperation> parsed = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            parsed.add(BatchOperation.parse(i + 1, list.get(i)));
        }
        return new Parsed(parsed, stop.asBoolean(false));
    }

    private Uni<StoredResponse> runAll(String user, String clientId, Parsed batch) {
        int writes = (int) batch.operations().stream().filter(op -> op.kind() != null && op.kind().writesSession()).count();
        int taken = rateLimiter.takeAhead(user, RateLimiter.Kind.SESSION_WRITE, writes);
        List<Outcome> done = new ArrayList<>(batch.operations().size());
        return step(user, clientId, batch, done, 0)
                .map(finished -> new StoredResponse(200, null, null,
                        json.write(new BatchViews.Results(done.stream().map(Outcome::result).toList()))))
                .eventually(() -> rateLimiter.giveBack(user, RateLimiter.Kind.SESSION_WRITE, taken));
    }

    /** Runs operation {@code index} once those before it are done, then the next. */
    private Uni<Void> step(String user, String clientId, Parsed batch, List<Outcome> done, int index) {
        if (index == batch.operations().size()) {
            return Uni.createFrom().voidItem();
        }
        BatchOperation op = batch.operations().get(index);
        int failed = batch.stopOnError() ? firstFailure(done) : 0;
        Uni<Outcome> outcome = failed > 0 ? Uni.createFrom().item(operations.notRun(op, failed))
                : operations.run(user, clientId, op, done);
        return outcome.onItem().transformToUni(result -> {
            done.add(result);
            return step(user, clientId, batch, done, index + 1);
        });
    }

    /** The number of the first operation that failed, or 0. */
    private static int firstFailure(List<Outcome> done) {
        for (int i = 0; i < done.size(); i++) {
            if (!done.get(i).succeeded()) {
                return i + 1;
            }
        }
        return 0;
    }
}
