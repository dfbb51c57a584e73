package io.keepsake.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.keepsake.testing.ServiceProcess;

/**
 * The packaged service as production starts it (the prod profile): no built-in users unless they
 * are meant, management endpoints on their own port only, and a 401 that names what is accepted.
 */
class ProductionDefaultsIT {

    private static final String ALICE = ServiceProcess.basicAuth("alice");

    @TempDir
    Path data;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    @Test
    void builtInUsersUnderTheProductionProfileStopTheStartUnlessAllowed() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        Path log = Path.of("target", "production-refused-it.log");
        Files.deleteIfExists(log);
        try (ServiceProcess service = ServiceProcess.start(data.resolve("refused"), log, List.of("-Xmx256m"),
                "QUARKUS_PROFILE", "prod", "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE", "alice-secret")) {
            assertTrue(service.process.waitFor(90, TimeUnit.SECONDS), "the service refused to start and exited");
            assertEquals(1, service.process.exitValue());
            String output = Files.readString(log);
            assertTrue(output.contains("keepsake.built-in-users.allow-in-production")
                    && output.contains("KEEPSAKE_BUILT_IN_USERS_ALLOW_IN_PRODUCTION") && output.contains("alice"), output);
        }

        try (ServiceProcess service = ServiceProcess.start(data.resolve("allowed"), Path.of("target", "production-allowed-it.log"),
                List.of("-Xmx256m"), "QUARKUS_PROFILE", "prod", "QUARKUS_SECURITY_USERS_EMBEDDED_USERS_ALICE", "alice-secret",
                "KEEPSAKE_BUILT_IN_USERS_ALLOW_IN_PRODUCTION", "true")) {
            service.awaitReady();
            assertEquals(200, send(service.base.resolve("/persistence/sessions"), ALICE).statusCode());
            HttpResponse<String> anonymous = send(service.base.resolve("/persistence/sessions"), null);
            assertEquals(401, anonymous.statusCode());
            assertEquals("Basic realm=\"Keepsake\"", anonymous.headers().firstValue("WWW-Authenticate").orElseThrow());
        }
    }

    @Test
    void theDefaultProductionServiceHasNoKnownPasswordsAndKeepsManagementOffThePublicPort() throws Exception {
        assumeTrue(ServiceProcess.packaged(), "needs the packaged application: run ./mvnw verify");
        Path log = Path.of("target", "production-defaults-it.log");
        Files.deleteIfExists(log);
        try (ServiceProcess service = ServiceProcess.start(data, log, List.of("-Xmx256m"), "QUARKUS_PROFILE", "prod")) {
            service.awaitReady();
            HttpResponse<String> alice = send(service.base.resolve("/persistence/sessions"), ALICE);
            assertEquals(401, alice.statusCode(), "the laptop's users do not exist in production");
            assertEquals("Bearer realm=\"Keepsake\"", alice.headers().firstValue("WWW-Authenticate").orElseThrow(),
                    "the challenge offers only what production accepts");
            assertTrue(alice.headers().firstValue("Content-Type").orElseThrow().startsWith("application/problem+json"));
            for (String path : List.of("/q/health/ready", "/q/metrics", "/q/openapi", "/q/swagger-ui/")) {
                assertEquals(404, send(service.base.resolve(path), null).statusCode(), path + " on the public port");
                assertEquals(200, send(service.management.resolve(path), null).statusCode(), path + " on the management port");
            }
            String output = Files.readString(log);
            assertTrue(output.contains("Nobody can sign in"), "the log says how to let users in");
            assertFalse(output.contains("Built-in users (HTTP Basic)"), output);
        }
    }

    private HttpResponse<String> send(URI uri, String authorization) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(10));
        if (authorization != null) {
            request.header("Authorization", authorization);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
