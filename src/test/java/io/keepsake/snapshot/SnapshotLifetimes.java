package io.keepsake.snapshot;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * A deployment whose snapshots last a week unless asked otherwise, and at most 30 days. Its users
 * are this run's own (what other tests stored does not count). It also clears outboxes and stores
 * usage 1 s after the fact, for {@code WriteCostTest}, which shares it to spare the suite a start.
 */
public class SnapshotLifetimes implements QuarkusTestProfile {

    static final String RUN = Long.toString(java.lang.management.ManagementFactory.getRuntimeMXBean().getStartTime(), 36);
    static final String OWNER = "ender-" + RUN;
    static final String VISITOR = "reader-" + RUN;
    static final String HOLDER = "holder-" + RUN;

    @Override
    public Map<String, String> getConfigOverrides() {
        Map<String, String> config = new HashMap<>(Map.of(
                "keepsake.snapshots.default-lifetime", "7d",
                "keepsake.snapshots.max-lifetime", "P30D",
                "keepsake.notices.clear-after", "1s", "keepsake.quotas.usage-flush-after", "1s"));
        for (String user : List.of(OWNER, VISITOR, HOLDER)) {
            config.put("quarkus.security.users.embedded.users." + user, user + "-secret");
        }
        return config;
    }
}
