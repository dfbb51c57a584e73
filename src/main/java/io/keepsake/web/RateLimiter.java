package io.keepsake.web;

import java.time.Duration;

import jakarta.enterprise.context.ApplicationScoped;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.ConsumptionProbe;
import io.keepsake.KeepsakeConfig;
import io.quarkus.runtime.annotations.RegisterForReflection;

/**
 * Per-user token buckets (bucket4j), kept in memory per instance: with N replicas behind a
 * balancer a user gets up to N times the configured rate. Idle buckets are forgotten.
 */
@ApplicationScoped
// Caffeine picks its cache and node classes by name; a native image needs these two for this cache.
@RegisterForReflection(classNames = {"com.github.benmanes.caffeine.cache.SSMSA", "com.github.benmanes.caffeine.cache.PSAMS"})
public class RateLimiter {

    public enum Kind {
        SNAPSHOT_READ, SNAPSHOT_CREATE
    }

    private final Cache<String, Bucket> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(200_000)
            .build();
    private final KeepsakeConfig.RateLimits limits;

    public RateLimiter(KeepsakeConfig config) {
        this.limits = config.rateLimits();
    }

    /** Takes one token for the user, or fails with 429 and the time until the next one. */
    public void acquire(String userId, Kind kind) {
        int perMinute = kind == Kind.SNAPSHOT_READ ? limits.snapshotReadsPerMinute() : limits.snapshotCreatesPerMinute();
        Bucket bucket = buckets.get(kind + ":" + userId, key -> Bucket.builder()
                .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, Duration.ofMinutes(1)))
                .build());
        ConsumptionProbe probe = bucket.tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            Duration wait = Duration.ofNanos(probe.getNanosToWaitForRefill());
            throw new ApiProblem(429, "Too Many Requests",
                    "Rate limit of " + perMinute + " per minute exceeded; retry later")
                    .retryAfter(wait.plusMillis(999));
        }
    }
}
