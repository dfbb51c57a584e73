package io.keepsake.store;

import java.time.Instant;
import java.time.temporal.ChronoUnit;

/** Time as the store keeps it: BSON dates have millisecond precision, so every timestamp does. */
public final class Time {

    private Time() {
    }

    public static Instant now() {
        return Instant.now().truncatedTo(ChronoUnit.MILLIS);
    }
}
