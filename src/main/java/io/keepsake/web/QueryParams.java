package io.keepsake.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query parameter conversions that answer bad input with a 400 naming the parameter. */
public final class QueryParams {

    private QueryParams() {
    }

    /** Search text: null when absent or empty. */
    public static String text(String value) {
        return value == null || value.isEmpty() ? null : value;
    }

    public static Instant instant(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            return Instant.parse(value);
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalidField(parameter, parameter + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }
}
