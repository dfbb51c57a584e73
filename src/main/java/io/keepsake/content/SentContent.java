package io.keepsake.content;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.hashing.Canonical;
import io.keepsake.hashing.CanonicalJson;

/**
 * The content of a request as it was sent, before {@link Draft} measures it: a JSON string's text
 * (measured and hashed as the text it carries), or the canonical form of any other JSON value, or
 * why that value has none. A request body's content comes canonicalised from the token stream,
 * never built as a tree; content from a tree (a merge patch, an import) is canonicalised here.
 *
 * @param text            the text of a JSON string; null for any other value
 * @param canonical       the canonical form of any other value; null for a string or a value without one
 * @param noCanonicalForm why the value has no canonical form (an unpaired surrogate, a non-finite number)
 */
public record SentContent(String text, Canonical canonical, String noCanonicalForm) {

    public static SentContent text(String text) {
        return new SentContent(text, null, null);
    }

    public static SentContent canonical(Canonical canonical) {
        return new SentContent(null, canonical, null);
    }

    public static SentContent withoutCanonicalForm(String why) {
        return new SentContent(null, null, why);
    }

    /** Content from a tree, as the token stream would have given it. */
    public static SentContent of(JsonNode content, int sizeHint) {
        if (content.isTextual()) {
            return text(content.textValue());
        }
        try {
            return canonical(CanonicalJson.of(content, sizeHint));
        } catch (IllegalArgumentException e) {
            return withoutCanonicalForm(e.getMessage());
        }
    }

    public boolean isText() {
        return text != null;
    }

    /** JSON null (measured without building a string of longer content). */
    public boolean isNull() {
        return canonical != null && canonical.length() == 4 && "null".equals(canonical.text());
    }
}
