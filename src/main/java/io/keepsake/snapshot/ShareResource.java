package io.keepsake.snapshot;

import java.net.URI;
import java.util.List;

import jakarta.annotation.security.PermitAll;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestPath;

import io.keepsake.web.KeepsakeApi;
import io.keepsake.store.Ids;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.Problem;
import io.keepsake.web.RateLimiter;
import io.vertx.core.http.HttpServerRequest;
import io.smallrye.mutiny.Uni;

/**
 * {@code GET /s/{id}}: the share URL. The id is the capability, so no sign-in is needed to be
 * sent on: a browser goes (303) to the workbench (see {@link ShareLinks}), an API client to
 * the snapshot's API path, where it authenticates. An unknown or deleted id is a 404, an ended
 * snapshot's a 410: a short page for a browser, a problem body otherwise.
 */
@Path("/s")
@PermitAll
@Tag(name = "Share URL", description = "Where a shared snapshot link leads")
public class ShareResource {

    private final SnapshotService service;
    private final ShareLinks links;
    private final RateLimiter rateLimiter;

    ShareResource(SnapshotService service, ShareLinks links, RateLimiter rateLimiter) {
        this.service = service;
        this.links = links;
        this.rateLimiter = rateLimiter;
    }

    @Operation(summary = "Open a share URL")
    @APIResponse(responseCode = "303", description = "To the workbench (browsers) or the snapshot API (other clients)",
            headers = @Header(name = HttpHeaders.LOCATION, description = "Where the snapshot opens",
                    schema = @Schema(type = SchemaType.STRING)))
    @APIResponse(responseCode = "404", description = "No such snapshot, or deleted: a short page for a browser, "
            + "a problem for other clients", content = {
                @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)),
                @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))})
    @APIResponse(responseCode = "410", description = "The snapshot has expired: a short page for a browser, "
            + "a problem for other clients", content = {
                @Content(mediaType = MediaType.TEXT_HTML, schema = @Schema(type = SchemaType.STRING)),
                @Content(mediaType = Problem.MEDIA_TYPE, schema = @Schema(implementation = Problem.class))})
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @GET
    @Path("/{id}")
    public Uni<Response> open(@RestPath String id, HttpHeaders headers, @Context HttpServerRequest request) {
        // No sign-in here: the address is what a flood of opens comes from (behind a proxy, enable
        // quarkus.http.proxy.proxy-address-forwarding so that it is the client's).
        rateLimiter.acquire(request.remoteAddress().hostAddress(), RateLimiter.Kind.SHARE_LINK);
        boolean browser = prefersHtml(headers.getAcceptableMediaTypes());
        Uni<Void> exists = Ids.isValid(id) ? service.exists(id) : Uni.createFrom().failure(ApiProblem.notFound("Snapshot"));
        return exists.map(found -> {
            String target = browser ? links.workbenchLink(id) : "/persistence/snapshots/" + id;
            return Response.seeOther(URI.create(target)).build();
        }).onFailure(failure -> browser && failure instanceof ApiProblem problem
                && (problem.status() == 404 || problem.status() == 410))
                .recoverWithItem(failure -> ((ApiProblem) failure).status() == 410
                        ? SnapshotService.ERASED.equals(((ApiProblem) failure).extension("reason"))
                                ? page(410, "This snapshot was erased", "Its owner's data was erased, this snapshot with it.")
                                : page(410, "This snapshot has expired", "This link points to a snapshot that has reached its end.")
                        : page(404, "Snapshot not found", "This link points to a snapshot"
                                + " that does not exist or was deleted by its owner."));
    }

    private static Response page(int status, String title, String text) {
        return Response.status(status).type(MediaType.TEXT_HTML_TYPE.withCharset("UTF-8"))
                .entity("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" + title
                        + "</title></head><body><h1>" + title + "</h1><p>" + text + "</p></body></html>")
                .build();
    }

    /** A browser asks for HTML ahead of JSON; API clients ask for JSON or anything. */
    private static boolean prefersHtml(List<MediaType> acceptable) {
        for (MediaType type : acceptable) {
            if (type.isCompatible(MediaType.TEXT_HTML_TYPE) && !type.isWildcardType()) {
                return true;
            }
            if (type.isCompatible(MediaType.APPLICATION_JSON_TYPE) && !type.isWildcardType()) {
                return false;
            }
        }
        return false;
    }
}
