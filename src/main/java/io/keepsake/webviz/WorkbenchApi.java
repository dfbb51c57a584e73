package io.keepsake.webviz;

/** Names shared by the original workbench's compatible surface. */
final class WorkbenchApi {

    /** Where the surface's resources live; a configured prefix other than {@code /webviz} is routed here. */
    static final String ROOT = "/webviz/persistence";
    static final String TAG = "Original workbench";
    static final String TAG_DESCRIPTION = "The original workbench's calls, in its shapes (under keepsake.webviz.prefix)";
    /** The body of a call that answers nothing (the original service's {@code None}). */
    static final String NO_RESULT = "null";
    /** A body as the original workbench sends it, its content JSON-encoded. */
    static final String EXAMPLE = "{\"title\":\"Field review\",\"description\":\"Q3\","
            + "\"content\":\"{\\\"modules\\\":[{\\\"id\\\":\\\"m1\\\",\\\"zoom\\\":1.5}]}\"}";

    private WorkbenchApi() {
    }
}
