package io.keepsake.web;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.keepsake.KeepsakeConfig;
import io.keepsake.config.RateLimitsConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Per-user (or per-address) token buckets (bucket4j), kept in memory per instance: with N replicas
 * behind a balancer a user gets up to N times the configured rate. Idle buckets are forgotten.
 */
@ApplicationScoped
// Caffeine picks its cache and node classes by name; a native image needs these two for this cache.
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSMSA", "com.github.benmanes.caffeine.cache.PSAMS"})
public class RateLimiter {

    /** A limited action: its setting (for the problem body) and its rate. */
    public enum Kind {
        SNAPSHOT_READ("keepsake.rate-limits.snapshot-reads-per-minute", Duration.ofMinutes(1)),
        SNAPSHOT_CREATE("keepsake.rate-limits.snapshot-creates-per-minute", Duration.ofMinutes(1)),
        SESSION_WRITE("keepsake.rate-limits.session-writes-per-second", Duration.ofSeconds(1)),
        TICKET("keepsake.rate-limits.tickets-per-minute", Duration.ofMinutes(1)),
        SHARE_LINK("keepsake.rate-limits.share-links-per-minute", Duration.ofMinutes(1));

        final String setting;
        final Duration period;

        Kind(String setting, Duration period) {
            this.setting = setting;
            this.period = period;
        }
    }

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(200_000)
            .build();
    private final Map<Kind, Integer> rates = new EnumMap<>(Kind.class);

    public RateLimiter(KeepsakeConfig config) {
        RateLimitsConfig limits = config.rateLimits();
        rates.put(Kind.SNAPSHOT_READ, limits.snapshotReadsPerMinute());
        rates.put(Kind.SNAPSHOT_CREATE, limits.snapshotCreatesPerMinute());
        rates.put(Kind.SESSION_WRITE, limits.sessionWritesPerSecond());
        rates.put(Kind.TICKET, limits.ticketsPerMinute());
        rates.put(Kind.SHARE_LINK, limits.shareLinksPerMinute());
    }

    /**
     * Takes one token for the key (a user, or a client address for the share link), or fails with
     * 429, the time until the next token and the setting that limits it. A bucket holds twice the
     * rate for one period, so a short burst passes.
     */
    public void acquire(String key, Kind kind) {
        int rate = rates.get(kind);
        Bucket bucket = buckets.get(kind + ":" + key, k -> Bucket.builder()
                .addLimit(limit -> limit.capacity(2L * rate).refillGreedy(rate, kind.period))
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
            String per = kind.period.toSeconds() == 1 ? "second" : "minute";
            throw new ApiProblem(429, "Too Many Requests",
                    "Rate limit of " + rate + " per " + per + " exceeded (" + kind.setting + "); retry later")
                    .retryAfter(wait.plusMillis(999))
                    .with("limit", kind.setting);
        }
    }
}
