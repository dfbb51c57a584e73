package io.keepsake.config;

import io.smallrye.config.WithDefault;

/** Settings under {@code keepsake.webviz.}: the original workbench's compatible surface. */
public interface WebvizConfig {
    /**
     * Path prefix of the original workbench's compatible surface: it serves {prefix}/persistence/...,
     * so that the workbench's proxy maps /api/persistence to {prefix}/persistence.
     */
    @WithDefault("/webviz")
    String prefix();
}
