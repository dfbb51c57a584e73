package io.keepsake.testing;

import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/** Rate limits low enough for a test to go past them in one burst (the tests' default lifts them). */
public class LowRateLimits implements QuarkusTestProfile {

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("keepsake.rate-limits.snapshot-reads-per-minute", "5",
                "keepsake.rate-limits.snapshot-creates-per-minute", "3",
                "keepsake.rate-limits.session-writes-per-second", "5",
                "keepsake.rate-limits.tickets-per-minute", "2",
                "keepsake.rate-limits.share-links-per-minute", "100");
    }
}
