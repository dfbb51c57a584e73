package io.keepsake.web;

import java.net.URI;

import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;

/**
 * A write's response as sent, and as replayed for a retry with the same Idempotency-Key.
 *
 * @param location null when the write created nothing
 * @param etag     null when the write leaves nothing to tag (a delete)
 * @param body     the JSON body text; null for a response without a body (204)
 */
public record StoredResponse(int status, String location, String etag, String body) {

    public static StoredResponse noContent() {
        return new StoredResponse(204, null, null, null);
    }

    public Response toResponse() {
        Response.ResponseBuilder builder = Response.status(status);
        if (location != null) {
            builder.location(URI.create(location));
        }
        if (etag != null) {
            builder.header(HttpHeaders.ETAG, etag);
        }
        return body == null ? builder.build() : builder.type(MediaType.APPLICATION_JSON).entity(body).build();
    }
}
