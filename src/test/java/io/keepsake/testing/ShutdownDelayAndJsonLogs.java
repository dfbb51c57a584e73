package io.keepsake.testing;

import java.nio.file.Path;
import java.util.Map;

import io.quarkus.test.junit.QuarkusTestProfile;

/**
 * Two settings that change nothing the other's test looks at, in one profile so that their tests
 * share one start of the service: a shutdown delay of 2 s ({@code notice.StoppingInstanceTest}) and
 * JSON logs written to a file ({@code web.JsonLogsTest}, which only reads that file).
 */
public class ShutdownDelayAndJsonLogs implements QuarkusTestProfile {

    /** One file per test run: the profile is read in another class loader, so no random name. */
    public static final Path JSON_LOG = Path.of("target", "json-logs-" + ProcessHandle.current().pid() + ".log");

    @Override
    public Map<String, String> getConfigOverrides() {
        return Map.of("quarkus.shutdown.delay", "2s",
                "quarkus.log.file.enabled", "true", "quarkus.log.file.path", JSON_LOG.toString(),
                "quarkus.log.file.json.enabled", "true");
    }
}
