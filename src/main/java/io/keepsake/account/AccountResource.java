package io.keepsake.account;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.bson.Document;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.common.util.RestMediaType;

import io.keepsake.security.Caller;
import io.keepsake.security.SignInResource;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.KeepsakeApi;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/**
 * {@code /persistence/me}: who is signed in, everything of theirs to take away
 * ({@code /export}), and the erase of it all ({@code DELETE}, status at {@code /erasure}).
 */
@Path("/persistence/me")
@Authenticated
@Tag(name = "Your data", description = "Everything of yours, to take away or to erase")
public class AccountResource {

    /** An erasure as its status answers it: where it stands and what each step deleted. */
    @RegisterForReflection
    public record Status(String user, String status, Instant requestedAt, String requestedBy, Instant startedAt,
            Instant doneAt, Map<String, Object> deleted) {

        static Status of(Document record) {
            Document deleted = record.get("deleted", Document.class);
            return new Status(record.getString("_id"), record.getString("status"), instant(record, "requestedAt"),
                    record.getString("requestedBy"), instant(record, "startedAt"), instant(record, "doneAt"),
                    deleted == null ? null : new LinkedHashMap<>(deleted));
        }

        private static Instant instant(Document record, String field) {
            Date date = record.getDate(field);
            return date == null ? null : date.toInstant();
        }
    }

    private final Erasures erasures;
    private final Exports exports;
    private final Caller caller;

    AccountResource(Erasures erasures, Exports exports, Caller caller) {
        this.erasures = erasures;
        this.exports = exports;
        this.caller = caller;
    }

    @Operation(summary = "Who is signed in")
    @APIResponse(responseCode = "200", description = "The signed-in user's id")
    @GET
    @Produces(MediaType.APPLICATION_JSON)
    public SignInResource.Me me() {
        return new SignInResource.Me(caller.id());
    }

    @Operation(summary = "Download everything of yours", description = "NDJSON: an export line, your sessions, their "
            + "revisions, your snapshots and your visits (content included), and an end line with the counts")
    @APIResponse(responseCode = "200", description = "application/x-ndjson, one {type, data} record a line")
    @GET
    @Path("/export")
    @Produces(RestMediaType.APPLICATION_NDJSON)
    @RestStreamElementType("application/json")
    public RestMulti<Exports.Line> export() {
        return exports.of(caller.id());
    }

    @Operation(summary = "Erase everything of yours", description = "Sessions, their history, snapshots (a tombstone "
            + "of each stays, so that share links answer 410), visit logs (yours, and others' of your snapshots), "
            + "notices and usage, by a durable task. Your writes are refused (409) until it is done.")
    @APIResponse(responseCode = "202", description = "Asked for: the status is at the Location")
    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> erase() {
        String user = caller.id();
        return erase(erasures, user, user, "/persistence/me/erasure");
    }

    @Operation(summary = "Where the erase of everything of yours stands", description = "pending, running or done, "
            + "with what each step deleted")
    @APIResponse(responseCode = "200", description = "The status")
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/erasure")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Status> erasure() {
        return status(erasures, caller.id());
    }

    /** Asks for the erase of {@code user}'s data by {@code by}: 202 with the status and where to follow it. */
    static Uni<Response> erase(Erasures erasures, String user, String by, String location) {
        return erasures.request(user, by).map(record -> Response.status(202)
                .header("Location", location).entity(Status.of(record)).build());
    }

    /** The status of {@code user}'s erase (404 if none was asked for). */
    static Uni<Status> status(Erasures erasures, String user) {
        return erasures.record(user).onItem().ifNull().failWith(() -> ApiProblem.notFound("Erasure")).map(Status::of);
    }
}
