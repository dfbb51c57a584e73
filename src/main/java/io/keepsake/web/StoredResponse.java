package io.keepsake.web;

/**
 * A create's response as sent, and as replayed for a retry with the same Idempotency-Key.
 *
 * @param body the JSON body text
 */
public record StoredResponse(int status, String location, String etag, String body) {
}
