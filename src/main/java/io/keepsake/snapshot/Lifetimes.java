package io.keepsake.snapshot;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;

import jakarta.enterprise.context.ApplicationScoped;

import com.fasterxml.jackson.databind.JsonNode;

import io.keepsake.KeepsakeConfig;
import io.keepsake.web.ApiProblem;
import io.keepsake.web.QueryParams;

/**
 * When a snapshot ends: the {@code expiresAt} its create asks for, within the deployment's
 * {@code keepsake.snapshots.max-lifetime}; without one, its creation plus
 * {@code default-lifetime} (or the max lifetime when only that is set); neither set: never.
 */
@ApplicationScoped
class Lifetimes {

    static final String FIELD = "expiresAt";
    /** The {@code reason} of the 410 of a snapshot whose end has come. */
    static final String ENDED = "expired";
    static final String MAX_SETTING = "keepsake.snapshots.max-lifetime";

    private final Optional<Duration> max;
    private final Optional<Duration> byDefault;

    Lifetimes(KeepsakeConfig config) {
        this.max = config.snapshots().maxLifetime();
        Optional<Duration> configured = config.snapshots().defaultLifetime();
        // A default longer than the maximum would hand out ends that a create could not ask for.
        this.byDefault = configured.isPresent() && max.isPresent()
                ? Optional.of(configured.get().compareTo(max.get()) > 0 ? max.get() : configured.get())
                : configured.or(() -> max);
    }

    /**
     * The end a create body asks for: null when it names none; 400 when it is no date-time or further
     * from {@code now} than the maximum. Whether it is still to come is checked when the snapshot is
     * made (see {@link #end}), so that a replay of a create that was answered gets its first answer.
     */
    Instant requested(JsonNode request, Instant now) {
        JsonNode value = request.get(FIELD);
        if (value == null || value.isNull()) {
            return null;
        }
        if (!value.isTextual()) {
            throw ApiProblem.invalidField(FIELD, FIELD + " must be an RFC 3339 date-time such as 2026-01-31T12:00:00Z");
        }
        Instant end = QueryParams.instant(FIELD, value.textValue()).truncatedTo(ChronoUnit.MILLIS);
        if (max.isPresent() && end.isAfter(now.plus(max.get()))) {
            throw ApiProblem.invalidField(FIELD, FIELD + " may be at most " + max.get() + " after now (" + MAX_SETTING + ")")
                    .with("limit", MAX_SETTING).with("maxLifetime", max.get().toString());
        }
        return end;
    }

    /** The end of a snapshot created at {@code createdAt}: the one asked for (400 unless later), else the default (null: none). */
    Instant end(Instant requested, Instant createdAt) {
        if (requested == null) {
            return byDefault.map(createdAt::plus).orElse(null);
        }
        if (!requested.isAfter(createdAt)) {
            throw ApiProblem.invalidField(FIELD, FIELD + " must be in the future");
        }
        return requested;
    }

    /** The answer for a snapshot whose end has come: 410 Gone. */
    static ApiProblem ended(Snapshot snapshot) {
        return new ApiProblem(410, "Gone", "This snapshot has expired").with("reason", ENDED)
                .with(FIELD, snapshot.expiresAt.toString());
    }
}
