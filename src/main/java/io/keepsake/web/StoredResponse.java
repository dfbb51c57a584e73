package io.keepsake.web;

import java.net.URI;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A create's response as sent, and as replayed for a retry with the same Idempotency-Key.
 *
 * @param body the JSON body text
 */
public record StoredResponse(int status, String location, String etag, String body) {

    public Response toResponse() {
        return Response.status(status)
                .location(URI.create(location))
                .header(HttpHeaders.ETAG, etag)
                .type(MediaType.APPLICATION_JSON)
                .entity(body)
                .build();
    }
}
