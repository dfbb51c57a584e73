package io.keepsake.web;

/**
 * How a surface that is not the native API words its errors (the original workbench's surface
 * answers in its own shape). Failures are problems first; a surface that covers a path turns a
 * problem's status and detail into its body. Used where a refusal is written before any resource
 * runs ({@link CrossSiteGuard}).
 */
public interface ErrorBodies {

    /** Whether requests to this path get this surface's error bodies. */
    boolean covers(String path);

    /** The body of a failure with this status and detail, to be written as JSON. */
    Object body(int status, String detail);
}
