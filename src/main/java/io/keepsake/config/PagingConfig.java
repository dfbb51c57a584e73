package io.keepsake.config;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.paging.}: page sizes of the list endpoints. */
public interface PagingConfig {
    /** Page size when the client names none. */
    @WithDefault("20")
    int defaultPageSize();

    /** Largest page size a client may ask for; larger requests are clamped. */
    @WithDefault("100")
    int maxPageSize();
}
