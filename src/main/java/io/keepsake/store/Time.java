package io.keepsake.store;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;

/**
 * Time as the store keeps it: BSON dates have millisecond precision, so every timestamp does.
 * Everything that decides by the calendar (ends of snapshots, idle lifetimes, retention of history
 * and access logs) asks this clock, so that tests move it forward instead of sleeping.
 */
public final class Time {

    private static volatile Duration offset = Duration.ZERO;

    private Time() {
    }

    public static Instant now() {
        return Instant.now().plus(offset).truncatedTo(ChronoUnit.MILLIS);
    }

    /** Moves this JVM's clock forward by {@code by} (tests only; {@link #reset} puts it back). */
    public static void advance(Duration by) {
        offset = offset.plus(by);
    }

    /** Puts the clock back to the system's. */
    public static void reset() {
        offset = Duration.ZERO;
    }
}
