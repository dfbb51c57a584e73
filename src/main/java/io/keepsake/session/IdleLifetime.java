package io.keepsake.session;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import io.keepsake.web.ApiProblem;

/**
 * How long a session may go unchanged before it is deleted ({@code idleLifetime}, an ISO-8601
 * duration such as {@code PT24H}), as a write asks: a duration to set, {@link #NONE} to remove
 * it, or no {@code IdleLifetime} at all (null) to leave the stored one as it is.
 */
record IdleLifetime(Duration duration) {

    static final String FIELD = "idleLifetime";
    /** No lifetime: the session stays until deleted. */
    static final IdleLifetime NONE = new IdleLifetime(null);
    private static final Duration LONGEST = Duration.ofDays(3650);

    /**
     * Takes {@code idleLifetime} out of a body's members: what a PUT or create asks (absent: none),
     * or, with {@code absentKeeps}, what a merge patch asks (absent: null, keep; JSON null: none).
     */
    static IdleLifetime take(ObjectNode fields, boolean absentKeeps) {
        JsonNode value = fields.remove(FIELD);
        if (value == null) {
            return absentKeeps ? null : NONE;
        }
        if (value.isNull()) {
            return NONE;
        }
        if (!value.isTextual()) {
            throw invalid();
        }
        try {
            Duration duration = Duration.parse(value.textValue());
            if (duration.isNegative() || duration.isZero() || duration.compareTo(LONGEST) > 0) {
                throw invalid();
            }
            return new IdleLifetime(duration);
        } catch (DateTimeParseException e) {
            throw invalid();
        }
    }

    private static ApiProblem invalid() {
        return ApiProblem.invalidField(FIELD, FIELD + " must be an ISO-8601 duration from a second to ten years, e.g. PT24H "
                + "(days as PnD), or null for none");
    }

    /** The stored form: the duration's ISO-8601 text, or null for none. */
    String stored() {
        return duration == null ? null : duration.toString();
    }

    /** When a session changed at {@code changedAt} with this stored lifetime ends (null: never). */
    static Instant end(String stored, Instant changedAt) {
        return stored == null || changedAt == null ? null : changedAt.plus(Duration.parse(stored));
    }

    /** Whether this differs from a session's stored lifetime. */
    boolean differsFrom(String stored) {
        return !java.util.Objects.equals(stored(), stored);
    }

    /** What the fingerprint of a keyed write says of it. */
    @Override
    public String toString() {
        return String.valueOf(stored());
    }
}
