package io.keepsake;

import java.time.Duration;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Every Keepsake setting, under the {@code keepsake.} prefix. */
@ConfigMapping(prefix = "keepsake")
public interface KeepsakeConfig {

    Limits limits();

    Paging paging();

    Idempotency idempotency();

    Store store();

    interface Limits {
        /** Largest accepted content, measured as UTF-8 bytes of its canonical JSON form (1.5 MiB). */
        @WithDefault("1572864")
        int maxContentBytes();

        /** Longest title, in characters after trimming. */
        @WithDefault("50")
        int maxTitleLength();

        /** Longest description, in characters. */
        @WithDefault("250")
        int maxDescriptionLength();

        /** Deepest nesting of arrays and objects accepted in a request body. */
        @WithDefault("200")
        int maxJsonDepth();
    }

    interface Paging {
        /** Page size when the client names none. */
        @WithDefault("20")
        int defaultPageSize();

        /** Largest page size a client may ask for; larger requests are clamped. */
        @WithDefault("100")
        int maxPageSize();
    }

    interface Idempotency {
        /** How long a create's response is kept for replay under its Idempotency-Key. */
        @WithDefault("24h")
        Duration retention();

        /** How long a first attempt may run before a retry with the same key may take over. */
        @WithDefault("30s")
        Duration lockTimeout();

        /** How often expired idempotency records are swept (stores without TTL indexes need it). */
        @WithDefault("10m")
        Duration sweepEvery();
    }

    interface Store {
        /** Retry-After sent with 503 responses while the store is unreachable. */
        @WithDefault("2s")
        Duration retryAfter();
    }
}
