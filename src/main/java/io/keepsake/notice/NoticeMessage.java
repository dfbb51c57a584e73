package io.keepsake.notice;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A notice as pushed over the WebSocket: the polling fields, and {@code own} = true when the
 * change came from this connection's own {@code client_id}. A conflict found on subscribe has no id.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record NoticeMessage(String type, String id, String resourceId, String hash, Long version, Instant at,
        String origin, Boolean own) {

    static NoticeMessage of(Notice notice, String clientId) {
        return new NoticeMessage(notice.type, Long.toString(notice.seq), notice.resourceId, notice.hash, notice.version,
                notice.at, notice.origin, clientId != null && clientId.equals(notice.origin));
    }
}
