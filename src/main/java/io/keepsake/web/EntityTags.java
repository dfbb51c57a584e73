package io.keepsake.web;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import io.keepsake.hashing.CanonicalJson;
import io.keepsake.store.Ids;

/**
 * Entity tags and the If-Match / If-None-Match rules (RFC 9110 section 13). A Keepsake tag is
 * {@code "<version>-<digest of contentHash and metadataHash>"}: any change of content, metadata
 * or version changes it, and the version in it lets a conditional write name the next version.
 * A last-write-wins save does not know the version it makes (it increments it in the store, so as
 * not to read first): its tag carries version 0 and a random part, and a conditional write naming
 * such a tag reads the version instead.
 */
public final class EntityTags {

    private EntityTags() {
    }

    public static String of(long version, String contentHash, String metadataHash) {
        byte[] both = (contentHash + ':' + metadataHash).getBytes(StandardCharsets.US_ASCII);
        return "\"" + version + '-' + CanonicalJson.sha256Hex(both, both.length).substring(0, 24) + "\"";
    }

    /** A tag for a state whose version the writer does not know: unique, version 0. */
    public static String unversioned(String contentHash, String metadataHash) {
        byte[] both = (contentHash + ':' + metadataHash + ':' + Ids.next()).getBytes(StandardCharsets.US_ASCII);
        return "\"0-" + CanonicalJson.sha256Hex(both, both.length).substring(0, 24) + "\"";
    }

    /** The version encoded in one of our tags, 0 when it carries none, or -1 for a tag that is not ours. */
    public static long versionOf(String tag) {
        int dash = tag.indexOf('-');
        if (!tag.startsWith("\"") || dash < 2) {
            return -1;
        }
        try {
            return Long.parseLong(tag, 1, dash, 10);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** A parsed If-Match or If-None-Match header: {@code *} or a list of tags. */
    public record Condition(boolean any, List<String> strong, List<String> weakOrStrong) {

        public static Condition parse(String header) {
            if (header == null || header.isBlank()) {
                return null;
            }
            if (header.trim().equals("*")) {
                return new Condition(true, List.of(), List.of());
            }
            List<String> strong = new ArrayList<>();
            List<String> all = new ArrayList<>();
            for (String part : header.split(",")) {
                String tag = part.trim();
                boolean weak = tag.startsWith("W/");
                String opaque = weak ? tag.substring(2) : tag;
                if (opaque.length() >= 2 && opaque.startsWith("\"") && opaque.endsWith("\"")) {
                    all.add(opaque);
                    if (!weak) {
                        strong.add(opaque);
                    }
                }
            }
            return new Condition(false, List.copyOf(strong), List.copyOf(all));
        }

        /** If-Match uses the strong comparison. */
        public boolean matchesStrong(String current) {
            return any || strong.contains(current);
        }

        /** If-None-Match uses the weak comparison. */
        public boolean matchesWeak(String current) {
            return any || weakOrStrong.contains(current);
        }
    }
}
