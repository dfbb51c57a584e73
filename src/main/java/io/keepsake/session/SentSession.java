package io.keepsake.session;

import io.keepsake.config.LimitsConfig;
import io.keepsake.content.Draft;
import io.keepsake.web.JsonBodies;

/** What a full representation of a session asks for: the draft, and the idle lifetime (absent: none). */
record SentSession(Draft draft, IdleLifetime lifetime) {

    /** A full representation from a request body, its content canonicalised as it is parsed. */
    static SentSession of(JsonBodies json, byte[] body, LimitsConfig limits) {
        JsonBodies.Envelope request = json.envelope(body);
        IdleLifetime lifetime = IdleLifetime.take(request.fields(), false);
        return new SentSession(Draft.from(request.fields(), request.content(), body.length, limits), lifetime);
    }

    /** What the request means, for its Idempotency-Key. */
    String fingerprint() {
        return draft.content().sha256() + ':' + draft.metadataHash() + ':' + lifetime;
    }
}
