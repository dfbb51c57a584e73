package io.keepsake.web;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

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

    /** A key's bucket and the tokens a batch took ahead for the writes it runs. */
    private record Limit(Bucket bucket, AtomicInteger takenAhead) {
    }

    private final Cache<String, Limit> buckets = Caffeine.newBuilder()
            .expireAfterAccess(Duration.ofMinutes(10))
            .maximumSize(200_000)
            .build();
    private final Map<Kind, Integer> rates = new EnumMap<>(Kind.class);
    private final int writeBurst;

    public RateLimiter(KeepsakeConfig config) {
        RateLimitsConfig limits = config.rateLimits();
        rates.put(Kind.SNAPSHOT_READ, limits.snapshotReadsPerMinute());
        rates.put(Kind.SNAPSHOT_CREATE, limits.snapshotCreatesPerMinute());
        rates.put(Kind.SESSION_WRITE, limits.sessionWritesPerSecond());
        rates.put(Kind.TICKET, limits.ticketsPerMinute());
        rates.put(Kind.SHARE_LINK, limits.shareLinksPerMinute());
        this.writeBurst = config.batch().writeBurst();
    }

    /**
     * Takes one token for the key (a user, or a client address for the share link), or fails with
     * 429, the time until the next token and the setting that limits it. A bucket holds twice the
     * rate for one period, so a short burst passes. The session-write bucket holds more, a full
     * batch ({@code keepsake.batch.write-burst}): single requests see only the top twice the rate
     * of it, and a write that a batch took its token for ahead spends that one.
     */
    public void acquire(String key, Kind kind) {
        int rate = rates.get(kind);
        Limit limit = limit(key, kind);
        if (limit.takenAhead().getAndUpdate(n -> n > 0 ? n - 1 : 0) > 0) {
            return;
        }
        long reserve = capacity(kind) - 2L * rate;
        ConsumptionProbe probe = limit.bucket().tryConsumeAndReturnRemaining(1);
        if (!probe.isConsumed()) {
            throw tooMany(kind, rate, Duration.ofNanos(probe.getNanosToWaitForRefill()));
        }
        if (probe.getRemainingTokens() < reserve) {
            // Only a batch may take the bucket below its reserve: give the token back.
            limit.bucket().addTokens(1);
            long missing = reserve - probe.getRemainingTokens();
            throw tooMany(kind, rate, kind.period.multipliedBy(missing).dividedBy(rate));
        }
    }

    /**
     * Takes up to {@code count} tokens at once for the writes of one batch, from the whole bucket,
     * reserve included; the next {@link #acquire}s of the key spend them. Returns how many it took:
     * the writes past them are refused as single ones would be. (A single write of the same user
     * while the batch runs may spend one of them: the user's writes are counted once either way.)
     */
    public int takeAhead(String key, Kind kind, int count) {
        if (count <= 0) {
            return 0;
        }
        Limit limit = limit(key, kind);
        int taken = (int) limit.bucket().tryConsumeAsMuchAsPossible(count);
        limit.takenAhead().addAndGet(taken);
        return taken;
    }

    /** Gives back what is left of {@code taken} tokens taken ahead, once the batch that took them is done. */
    public void giveBack(String key, Kind kind, int taken) {
        Limit limit = limit(key, kind);
        int left = Math.min(taken, limit.takenAhead().getAndUpdate(n -> Math.max(0, n - taken)));
        if (left > 0) {
            limit.bucket().addTokens(left);
        }
    }

    private Limit limit(String key, Kind kind) {
        int rate = rates.get(kind);
        long capacity = capacity(kind);
        return buckets.get(kind + ":" + key, k -> new Limit(Bucket.builder()
                .addLimit(limit -> limit.capacity(capacity).refillGreedy(rate, kind.period))
                .build(), new AtomicInteger()));
    }

    private long capacity(Kind kind) {
        long twice = 2L * rates.get(kind);
        return kind == Kind.SESSION_WRITE ? Math.max(twice, writeBurst) : twice;
    }

    private static ApiProblem tooMany(Kind kind, int rate, Duration wait) {
        String per = kind.period.toSeconds() == 1 ? "second" : "minute";
        return new ApiProblem(429, "Too Many Requests",
                "Rate limit of " + rate + " per " + per + " exceeded (" + kind.setting + "); retry later")
                .retryAfter(wait.plusMillis(999))
                .with("limit", kind.setting);
    }
}
