package io.keepsake.notice;

import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;
import org.jboss.resteasy.reactive.RestQuery;
import org.jboss.resteasy.reactive.RestResponse;

import io.keepsake.web.KeepsakeApi;
import io.keepsake.security.Caller;
import io.keepsake.web.RateLimiter;
import io.quarkus.security.Authenticated;
import io.smallrye.mutiny.Uni;

/**
 * {@code GET /persistence/notices?after=&wait=}: the polling side of notices, for clients that
 * cannot hold a WebSocket. Without {@code after} it starts from now.
 */
@Path("/persistence/notices")
@Authenticated
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Notices", description = "Changes your other tabs and devices made (see also WS /persistence/notices/ws)")
public class NoticeResource {

    private final LongPolls polls;
    private final Tickets tickets;
    private final Caller caller;
    private final RateLimiter rateLimiter;

    public NoticeResource(LongPolls polls, Tickets tickets, Caller caller, RateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.polls = polls;
        this.tickets = tickets;
        this.caller = caller;
    }

    /** A single-use ticket to open {@code /persistence/notices/ws?ticket=...} (browsers cannot send headers there). */
    @Operation(summary = "Get a single-use ticket for the notice WebSocket")
    @APIResponse(responseCode = "201", description = "The ticket and when it expires",
            content = @Content(mediaType = MediaType.APPLICATION_JSON, schema = @Schema(implementation = Tickets.Ticket.class)))
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @POST
    @Path("/tickets")
    public Uni<RestResponse<Tickets.Ticket>> ticket() {
        String user = caller.id();
        rateLimiter.acquire(user, RateLimiter.Kind.TICKET);
        return tickets.issue(user).map(ticket -> RestResponse.status(RestResponse.Status.CREATED, ticket));
    }

    @Operation(summary = "Notices after a cursor, long-polled")
    @APIResponse(responseCode = "200", description = "Notices and the cursor to continue from")
    @APIResponse(ref = KeepsakeApi.BAD_REQUEST)
    @APIResponse(ref = KeepsakeApi.TOO_MANY)
    @GET
    public Uni<LongPolls.Batch> poll(@RestQuery String after, @RestQuery String wait) {
        return polls.poll(caller.id(), after, wait);
    }
}
