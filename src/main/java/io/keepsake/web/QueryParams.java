package io.keepsake.web;

import java.time.Instant;
import java.time.format.DateTimeParseException;

/** Query parameter conversions that answer bad input with a 400 naming the parameter. */
public final class QueryParams {

    private QueryParams() {
    }

    private static final Instant EARLIEST = Instant.parse("0000-01-01T00:00:00Z");
    private static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    /** Search text: null when absent or empty. */
    public static String text(String parameter, String value) {
        if (value == null || value.isEmpty()) {
            return null;
        }
        if (value.indexOf('\0') >= 0) {
            throw ApiProblem.invalidField(parameter, parameter + " must not contain NUL characters");
        }
        return value;
    }

    public static Instant instant(String parameter, String value) {
        if (value == null || value.isBlank()) {
            return null;
        }
        try {
            Instant instant = Instant.parse(value);
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                throw ApiProblem.invalidField(parameter, parameter + " must be between years 0000 and 9999");
            }
            return instant;
        } catch (DateTimeParseException e) {
            throw ApiProblem.invalidField(parameter, parameter + " must be an ISO-8601 instant such as 2026-01-31T12:00:00Z");
        }
    }
}
