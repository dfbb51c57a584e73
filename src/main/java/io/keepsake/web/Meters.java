package io.keepsake.web;

import jakarta.enterprise.context.ApplicationScoped;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.runtime.Startup;

/** Keepsake's own meters (HTTP, store and JVM metrics come from Quarkus' extensions). */
@ApplicationScoped
@Startup
public class Meters {

    private final Counter conflicts;
    private final Counter rejectedBodies;
    private final Counter noticesPushed;
    private final Timer noticeDelay;
    private final AtomicInteger openSockets = new AtomicInteger();

    public Meters(MeterRegistry registry) {
        this.conflicts = Counter.builder("keepsake.conflicts")
                .description("Writes refused with 412 because the client's copy was stale").register(registry);
        this.rejectedBodies = Counter.builder("keepsake.rejected.bodies")
                .description("Requests refused with 413 because their body or content was too large").register(registry);
        this.noticesPushed = Counter.builder("keepsake.notices.pushed")
                .description("Notice messages sent to WebSocket connections").register(registry);
        this.noticeDelay = Timer.builder("keepsake.notices.delay")
                .description("From a change (as timed by the instance that made it) to its live notice written to a WebSocket")
                .publishPercentiles(0.5, 0.99).publishPercentileHistogram().maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
        Gauge.builder("keepsake.websocket.connections", openSockets, AtomicInteger::get)
                .description("Open notice WebSocket connections").register(registry);
    }

    public void socketOpened() {
        openSockets.incrementAndGet();
    }

    public void socketClosed() {
        openSockets.decrementAndGet();
    }

    /** Counts the problem responses operators watch. */
    public void problem(int status) {
        if (status == 412) {
            conflicts.increment();
        } else if (status == 413) {
            rejectedBodies.increment();
        }
    }

    public void noticePushed() {
        noticesPushed.increment();
    }

    /** A live notice of a change made at {@code at} was written to a connection. */
    public void noticeWritten(Instant at) {
        noticeDelay.record(Math.max(0, System.currentTimeMillis() - at.toEpochMilli()), TimeUnit.MILLISECONDS);
    }
}
