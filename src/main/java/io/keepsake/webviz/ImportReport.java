package io.keepsake.webviz;

import java.io.PrintStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/** What an import did: per container, how many were written, already there or skipped, and why. */
final class ImportReport {

    private static final String[] NAMES = {"sessions", "snapshots", "snapshot access logs"};

    private final Map<OriginalDocuments.Kind, int[]> counts = new EnumMap<>(OriginalDocuments.Kind.class);
    private final List<String> lines = new ArrayList<>();
    private boolean failed;

    private int[] of(OriginalDocuments.Kind kind) {
        return counts.computeIfAbsent(kind, k -> new int[3]);
    }

    void imported(OriginalDocuments.Kind kind, String id, String note) {
        of(kind)[0]++;
        if (note != null) {
            lines.add("note    " + kind.collection + "/" + id + ": " + note);
        }
    }

    void present(OriginalDocuments.Kind kind) {
        of(kind)[1]++;
    }

    void skipped(OriginalDocuments.Kind kind, String id, String reason) {
        if (kind != null) {
            of(kind)[2]++;
        }
        lines.add("skipped " + (kind == null ? "" : kind.collection + "/") + id + ": " + reason);
    }

    void failed(OriginalDocuments.Kind kind, String id, String reason) {
        failed = true;
        lines.add("failed  " + kind.collection + "/" + id + ": " + reason);
    }

    void unreadable(Path file, String reason) {
        failed = true;
        lines.add("failed  " + file + ": " + reason);
    }

    boolean failed() {
        return failed;
    }

    void print(PrintStream out) {
        for (OriginalDocuments.Kind kind : OriginalDocuments.Kind.values()) {
            int[] n = of(kind);
            out.printf("%-21s %d imported, %d already in Keepsake (left as they are), %d skipped%n",
                    NAMES[kind.ordinal()] + ":", n[0], n[1], n[2]);
        }
        lines.forEach(out::println);
    }
}
