package io.keepsake.config;

import java.time.Duration;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.limits.}: what a request may carry, and how large bodies are parsed. */
public interface LimitsConfig {
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

    /**
     * Most JSON tokens (values, member names, brackets) in a request body: what bounds the memory a
     * parse takes (a million tokens of empty objects is about 40 MB of tree; dense 1.5 MiB content has
     * fewer).
     */
    @WithDefault("1000000")
    long maxJsonTokens();

    /** Bodies above this many bytes are parsed only a few at a time (see {@code large-parses}). */
    @WithDefault("65536")
    int largeBodyBytes();

    /** How many large bodies are parsed at once; more wait for a turn. */
    @WithDefault("2")
    int largeParses();

    /** How long a large body waits for its turn before the request gets 503 with Retry-After. */
    @WithDefault("3s")
    Duration largeParseWait();
}
