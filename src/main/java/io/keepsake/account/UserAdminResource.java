package io.keepsake.account;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestMulti;
import org.jboss.resteasy.reactive.RestPath;
import org.jboss.resteasy.reactive.RestStreamElementType;
import org.jboss.resteasy.reactive.common.util.RestMediaType;

import io.keepsake.security.Caller;
import io.keepsake.web.KeepsakeApi;
import io.smallrye.mutiny.Uni;

/** {@code /persistence/users/{id}}: an operator (role {@code admin}) exports or erases any user's data. */
@Path("/persistence/users/{id}")
@RolesAllowed("admin")
@Tag(name = "Operators", description = "Any user's data, for operators")
public class UserAdminResource {

    private final Erasures erasures;
    private final Exports exports;
    private final Caller caller;

    UserAdminResource(Erasures erasures, Exports exports, Caller caller) {
        this.erasures = erasures;
        this.exports = exports;
        this.caller = caller;
    }

    @Operation(summary = "Download everything of a user's", description = "The same lines as /persistence/me/export")
    @APIResponse(responseCode = "200", description = "application/x-ndjson, one {type, data} record a line")
    @GET
    @Path("/export")
    @Produces(RestMediaType.APPLICATION_NDJSON)
    @RestStreamElementType("application/json")
    public RestMulti<Exports.Line> export(@RestPath String id) {
        return exports.of(id);
    }

    @Operation(summary = "Erase everything of a user's", description = "As DELETE /persistence/me does for oneself")
    @APIResponse(responseCode = "202", description = "Asked for: the status is at the Location")
    @DELETE
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<Response> erase(@RestPath String id) {
        return AccountResource.erase(erasures, id, caller.id(), "/persistence/users/" + id + "/erasure");
    }

    @Operation(summary = "Where the erase of a user's data stands")
    @APIResponse(responseCode = "200", description = "The status")
    @APIResponse(ref = KeepsakeApi.NOT_FOUND)
    @GET
    @Path("/erasure")
    @Produces(MediaType.APPLICATION_JSON)
    public Uni<AccountResource.Status> erasure(@RestPath String id) {
        return AccountResource.status(erasures, id);
    }
}
