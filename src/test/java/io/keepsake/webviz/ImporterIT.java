package io.keepsake.webviz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.bson.Document;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.mongodb.client.MongoClient;
import com.mongodb.client.MongoClients;
import com.mongodb.client.model.Filters;

import io.keepsake.store.EmbeddedStore;
import io.keepsake.testing.ServiceProcess;

/** The importer as the README runs it: a command on the packaged application's class path, against a running store. */
class ImporterIT {

    @TempDir
    Path data;

    private static String run(String uri) throws IOException, InterruptedException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path exports = Path.of("src", "test", "resources", "webviz");
        Process process = new ProcessBuilder(java, "-cp", "target/quarkus-app/app/*:target/quarkus-app/lib/main/*",
                "io.keepsake.webviz.Importer", "--uri", uri,
                exports.resolve("sessions.json").toString(), exports.resolve("snapshots.json").toString(),
                exports.resolve("snapshot_access_logs.jsonl").toString())
                .redirectErrorStream(true).start();
        assertTrue(process.waitFor(2, TimeUnit.MINUTES), "the importer finished");
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, process.exitValue(), output);
        return output;
    }

    @Test
    void theDocumentedCommandImportsIntoARunningStoreAndASecondRunChangesNothing() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application (mvn package)");
        EmbeddedStore store = EmbeddedStore.start(data, "127.0.0.1", 0);
        try {
            String first = run(store.connectionString());
            assertTrue(first.contains("sessions:             3 imported"), first);
            assertTrue(first.contains("snapshot access logs: 3 imported"), first);
            String second = run(store.connectionString());
            assertTrue(second.contains("sessions:             0 imported, 3 already in Keepsake"), second);
            try (MongoClient client = MongoClients.create(store.connectionString())) {
                Document session = client.getDatabase("keepsake").getCollection("sessions")
                        .find(Filters.eq("_id", "Ab3dE_9z")).first();
                assertEquals("carol", session.getString("ownerId"));
                assertEquals(7L, session.getLong("version"));
                List<Document> logs = client.getDatabase("keepsake").getCollection("snapshot_access_logs")
                        .find(Filters.eq("visitorId", "dave")).into(new java.util.ArrayList<>());
                assertEquals(2, logs.size());
            }
        } finally {
            store.stop();
        }
    }
}
