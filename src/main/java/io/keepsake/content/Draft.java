package io.keepsake.content;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;

import io.keepsake.config.LimitsConfig;
import io.keepsake.hashing.Canonical;
import io.keepsake.hashing.CanonicalJson;

/**
 * A validated title/description/content triple with its canonical content and both hashes: what
 * a session's create, replace or merge-patch writes, and what a snapshot keeps. Shared by the
 * session and snapshot features (and the original workbench's surface), so it lives with neither.
 *
 * @param textHash SHA-256 of the content's UTF-8 text when the content is a JSON string (the
 *                 original workbench's content hash); null for any other content, whose text is
 *                 its canonical form and so hashes to {@code content.sha256()}
 */
public record Draft(String title, String description, Canonical content, String metadataHash, String textHash) {

    public static final Set<String> FIELDS = Set.of("title", "description", "content");
    private static final double MIB = 1024.0 * 1024.0;

    /** A validated title and description, with their hash: what a change of metadata alone writes. */
    public record Metadata(String title, String description, String metadataHash) {

        public String titleKey() {
            return title.toLowerCase(Locale.ROOT);
        }
    }

    /** Validates a full representation: title and content required, description optional. */
    public static Draft from(JsonNode body, int sizeHint, LimitsConfig limits) {
        JsonNode content = body.get("content");
        return from(body, content == null ? null : SentContent.of(content, sizeHint), sizeHint, limits);
    }

    /**
     * The same for a body read with its content apart (canonicalised as it was parsed):
     * {@code fields} are its other members, {@code content} null when it had none.
     */
    public static Draft from(JsonNode fields, SentContent content, int sizeHint, LimitsConfig limits) {
        onlyFields(fields, FIELDS);
        if (content == null) {
            throw InvalidDraft.field("content", "content is required (any JSON value)");
        }
        return of(text(fields, "title", true), text(fields, "description", false), content, sizeHint, limits);
    }

    public static Draft of(String rawTitle, String rawDescription, JsonNode content, int sizeHint,
            LimitsConfig limits) {
        return of(rawTitle, rawDescription, SentContent.of(content, sizeHint), sizeHint, limits);
    }

    public static Draft of(String rawTitle, String rawDescription, SentContent content, int sizeHint,
            LimitsConfig limits) {
        Metadata metadata = metadata(rawTitle, rawDescription, limits);
        // A string is measured as the text it carries: its JSON escapes are not content.
        String text = content.text();
        if (text != null) {
            requireText("content", text);
            requireSize(utf8Length(text), limits);
            byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
            return new Draft(metadata.title(), metadata.description(), CanonicalJson.of(TextNode.valueOf(text), sizeHint),
                    metadata.metadataHash(), CanonicalJson.sha256Hex(bytes, bytes.length));
        }
        if (content.noCanonicalForm() != null) {
            throw InvalidDraft.field("content", "content has no canonical JSON form: " + content.noCanonicalForm());
        }
        requireSize(content.canonical().length(), limits);
        return new Draft(metadata.title(), metadata.description(), content.canonical(), metadata.metadataHash(), null);
    }

    /**
     * A draft of content that is canonical already: stored content, copied as it is with its hashes
     * (accepted when it was stored, so not measured again).
     */
    public static Draft of(String rawTitle, String rawDescription, Canonical canonical, String textHash,
            LimitsConfig limits) {
        Metadata metadata = metadata(rawTitle, rawDescription, limits);
        return new Draft(metadata.title(), metadata.description(), canonical, metadata.metadataHash(), textHash);
    }

    /** Validates a title (trimmed, required) and a description (null for none). */
    public static Metadata metadata(String rawTitle, String rawDescription, LimitsConfig limits) {
        requireText("title", rawTitle);
        requireText("description", rawDescription);
        if (rawTitle == null) {
            throw InvalidDraft.field("title", "title is required");
        }
        String title = rawTitle.trim();
        int titleLength = title.codePointCount(0, title.length());
        if (titleLength < 1 || titleLength > limits.maxTitleLength()) {
            throw InvalidDraft.field("title",
                    "title must be 1 to " + limits.maxTitleLength() + " characters after trimming, got " + titleLength);
        }
        String description = rawDescription == null ? "" : rawDescription;
        int descriptionLength = description.codePointCount(0, description.length());
        if (descriptionLength > limits.maxDescriptionLength()) {
            throw InvalidDraft.field("description", "description must be at most "
                    + limits.maxDescriptionLength() + " characters, got " + descriptionLength);
        }
        return new Metadata(title, description, metadataHash(title, description));
    }

    private static void requireSize(long size, LimitsConfig limits) {
        if (size > limits.maxContentBytes()) {
            throw new InvalidDraft("content", String.format(Locale.ROOT, "Content size (%.2f MB) exceeds maximum (%.2f MB)",
                    size / MIB, limits.maxContentBytes() / MIB), true, Map.of("size", size, "maxSize", limits.maxContentBytes()));
        }
    }

    /** Text fields must be valid Unicode: an unpaired surrogate has no canonical form. */
    private static void requireText(String field, String value) {
        if (value == null) {
            return;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw InvalidDraft.field(field, field + " contains an unpaired UTF-16 surrogate");
            }
        }
    }

    /** UTF-8 length of valid UTF-16 text, without encoding it. */
    public static long utf8Length(String text) {
        long length = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c)) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }

    public String titleKey() {
        return title.toLowerCase(Locale.ROOT);
    }

    public static String metadataHash(String title, String description) {
        ObjectNode metadata = JsonNodeFactory.instance.objectNode().put("title", title).put("description", description);
        return CanonicalJson.of(metadata).sha256();
    }

    /** Refuses a body with fields other than {@code allowed}, naming them. */
    public static void onlyFields(JsonNode object, Set<String> allowed) {
        onlyFields(object::fieldNames, allowed);
    }

    /** The same for a body's member names. */
    public static void onlyFields(Iterable<String> names, Set<String> allowed) {
        Set<String> unknown = new TreeSet<>();
        names.forEach(name -> {
            if (!allowed.contains(name)) {
                unknown.add(name);
            }
        });
        if (!unknown.isEmpty()) {
            throw new InvalidDraft(null, "Unknown field(s): " + String.join(", ", unknown) + "; allowed: "
                    + String.join(", ", new TreeSet<>(allowed)), false, Map.of("unknownFields", unknown));
        }
    }

    public static String text(JsonNode body, String field, boolean required) {
        JsonNode node = body.get(field);
        if (node == null || node.isNull()) {
            if (required) {
                throw InvalidDraft.field(field, field + " is required");
            }
            return null;
        }
        if (!node.isTextual()) {
            throw InvalidDraft.field(field, field + " must be a string");
        }
        return node.textValue();
    }
}
