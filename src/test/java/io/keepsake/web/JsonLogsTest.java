package io.keepsake.web;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.testing.ShutdownDelayAndJsonLogs;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;

/**
 * JSON logs by configuration: one JSON object per line, for a log collector. Written to a file here
 * (a test cannot read the console the service writes to); the console uses the same formatter.
 */
@QuarkusTest
@TestProfile(ShutdownDelayAndJsonLogs.class) // the JSON log file
class JsonLogsTest {

    static final Path LOG = ShutdownDelayAndJsonLogs.JSON_LOG;

    @Test
    void everyLineIsAJsonRecordWithLevelLoggerAndMessage() throws IOException {
        ObjectMapper json = new ObjectMapper();
        List<String> lines = Files.readAllLines(LOG);
        assertFalse(lines.isEmpty(), "the service logged at start-up");
        boolean started = false;
        for (String line : lines) {
            JsonNode record = json.readTree(line);
            assertTrue(record.isObject(), line);
            assertTrue(record.hasNonNull("timestamp") && record.hasNonNull("level") && record.hasNonNull("loggerName")
                    && record.hasNonNull("message"), line);
            started |= record.path("message").asText().contains("started in");
        }
        assertTrue(started, "the start-up line is among them: " + lines);
    }
}
