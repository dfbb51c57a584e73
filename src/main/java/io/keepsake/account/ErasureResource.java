package io.keepsake.account;

import java.time.Instant;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
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
import org.jboss.resteasy.reactive.RestPath;

import io.keepsake.security.Caller;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.KeepsakeApi;
import io.quarkus.runtime.annotations.RegisterForReflection;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/**
 * Erasing everything of a user's: {@code DELETE /persistence/me} asks for it (202, with the status
 * at {@code /persistence/me/erasure}); an operator does the same for anyone under
 * {@code /persistence/users/{id}}.
 */
@Path("/persistence")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Your data", description = "Everything of yours, to take away or to erase")
public class ErasureResource {

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
    private final Caller caller;

    ErasureResource(Erasures erasures, Caller caller) {
        this.erasures = erasures;
        this.caller = caller;
    }

    @Operation(summary = "Erase everything of yours", description = "Sessions, their history, snapshots (a tombstone "
            + "of each stays, so that share links answer 410), visit logs (yours, and others' of your snapshots), "
            + "notices and usage, by a durable task. Your writes are refused (409) until it is done.")
    @APIResponse(responseCode = "202", description = "Asked for: the status is at the Location")
    @DELETE
    @Path("/me")
    @Authenticated
    public Uni<Response> eraseMe() {
        String user = caller.id();
        return erase(user, user, "/persistence/me/erasure");
    }

    @Operation(summary = "Where the erase of everything of yours stands", description = "pending, running or done, "
            + "with what each step deleted")
    @APIResponse(responseCode = "200", description = "The status")
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/me/erasure")
    @Authenticated
    public Uni<Status> myErasure() {
        return status(caller.id());
    }

    @Operation(summary = "Erase everything of a user's (operators)")
    @APIResponse(responseCode = "202", description = "Asked for: the status is at the Location")
    @DELETE
    @Path("/users/{id}")
    @RolesAllowed("admin")
    public Uni<Response> eraseUser(@RestPath String id) {
        return erase(id, caller.id(), "/persistence/users/" + id + "/erasure");
    }

    @Operation(summary = "Where the erase of a user's data stands (operators)")
    @APIResponse(responseCode = "200", description = "The status")
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/users/{id}/erasure")
    @RolesAllowed("admin")
    public Uni<Status> userErasure(@RestPath String id) {
        return status(id);
    }

    private Uni<Response> erase(String user, String by, String location) {
        return erasures.request(user, by).map(record -> Response.status(202)
                .header("Location", location).entity(Status.of(record)).build());
    }

    private Uni<Status> status(String user) {
        return erasures.record(user).onItem().ifNull().failWith(() -> ApiProblem.notFound("Erasure")).map(Status::of);
    }
}
