package io.keepsake.notice;

import java.time.Instant;

import com.fasterxml.jackson.annotation.JsonInclude;

import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * A notice as clients receive it, by polling or over the WebSocket. {@code id} is the cursor to
 * resume after; {@code origin} is the Keepsake-Client-Id of the change's writer.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
@RegisterForReflection
public record NoticeView(String type, String id, String resourceId, String hash, Long version, Instant at,
        String origin) {

    static NoticeView of(Notice notice) {
        return new NoticeView(notice.type, Long.toString(notice.seq), notice.resourceId, notice.hash, notice.version,
                notice.at, notice.origin);
    }
}
