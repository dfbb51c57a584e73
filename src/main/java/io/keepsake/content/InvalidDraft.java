package io.keepsake.content;

import java.util.Map;

/**
 * A title, description or content that breaks a rule of the design: 400 naming the field, or 413
 * for content over the size limit. The web layer turns it into a problem body; the importer into
 * a refused document.
 *
 * @param field the field it names (null: the request as a whole)
 * @param details what else the problem body carries (the size and the limit of too large content,
 *                the unknown fields of a body)
 */
public class InvalidDraft extends RuntimeException {

    private final String field;
    private final boolean tooLarge;
    private final Map<String, Object> details;

    InvalidDraft(String field, String detail, boolean tooLarge, Map<String, Object> details) {
        super(detail, null, false, false);
        this.field = field;
        this.tooLarge = tooLarge;
        this.details = details;
    }

    static InvalidDraft field(String field, String detail) {
        return new InvalidDraft(field, detail, false, Map.of());
    }

    public String field() {
        return field;
    }

    /** Content over the size limit (413), not a malformed field (400). */
    public boolean tooLarge() {
        return tooLarge;
    }

    public Map<String, Object> details() {
        return details;
    }
}
