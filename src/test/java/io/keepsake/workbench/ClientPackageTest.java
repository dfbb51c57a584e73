package io.keepsake.workbench;

import static io.keepsake.testing.Api.as;
import static org.hamcrest.Matchers.contains;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;

/**
 * The browser client as the npm package {@code @keepsake/client}: {@code npm pack} makes it, it
 * installs into a new TypeScript project (offline: it needs nothing else), that project compiles
 * against its declarations in strict mode, and its compiled program creates and saves a session
 * on the service, which the API then shows.
 */
@QuarkusTest
class ClientPackageTest {

    private static final Path WEB = Path.of("src", "main", "web");
    private static final String USER = "erin";

    @TestHTTPResource("/")
    URI base;

    @TempDir
    Path scratch;

    @Test
    void thePackageInstallsCompilesAndSavesASession() throws Exception {
        assumeTrue(run(WEB, "npm", "--version") == 0, "needs Node.js and npm (the build's own)");
        assertEquals(0, run(WEB, "npm", "pack", "--silent", "--pack-destination", scratch.toAbsolutePath().toString()), "npm pack");
        Path tarball;
        try (var files = Files.list(scratch)) {
            tarball = files.filter(f -> f.getFileName().toString().endsWith(".tgz")).findFirst().orElseThrow();
        }
        Path app = Files.createDirectories(scratch.resolve("app"));
        Files.writeString(app.resolve("package.json"), "{\"name\":\"scratch\",\"private\":true,\"type\":\"module\"}\n");
        Files.writeString(app.resolve("tsconfig.json"), """
                {"compilerOptions": {"target": "ES2022", "module": "nodenext", "moduleResolution": "nodenext",
                  "lib": ["ES2022", "DOM", "DOM.Iterable"], "strict": true, "skipLibCheck": false, "outDir": "out"},
                 "files": ["use.ts"]}
                """);
        Files.writeString(app.resolve("use.ts"), """
                import { Keepsake } from '@keepsake/client';
                import type { SessionMetadata } from '@keepsake/client';

                declare const process: { argv: string[]; exitCode?: number };
                const [base, user] = process.argv.slice(2);
                const authorization = 'Basic ' + btoa(`${user}:${user}-secret`);
                const keepsake = await Keepsake.connect({
                  baseUrl: base, store: 'memory', notices: 'off', broadcastChannel: null, clientId: 'package-test',
                  liveTabs: async () => new Set<string>(), headers: () => ({ Authorization: authorization }),
                });
                const session = await keepsake.create({ title: 'from the package', description: '', content: { steps: [1] } });
                session.update({ content: { steps: [1, 2] } });
                await session.save();
                for (let i = 0; i < 200 && session.state !== 'saved'; i++) {
                  await new Promise((resolve) => setTimeout(resolve, 25));
                }
                const page = await keepsake.list({ filter_title: 'from the package' });
                const found: SessionMetadata | undefined = page.items.find((item) => item.id === session.id);
                console.log(JSON.stringify({ id: session.id, state: session.state, version: found?.version ?? null }));
                await keepsake.close();
                """);
        assertEquals(0, run(app, "npm", "install", "--offline", "--no-audit", "--no-fund", "--no-package-lock",
                tarball.toAbsolutePath().toString()), "npm install of the package, offline");
        assertTrue(Files.isRegularFile(app.resolve("node_modules/@keepsake/client/dist/keepsake-client.d.ts")),
                "the package carries its type declarations");
        Path tsc = WEB.resolve("node_modules/typescript/bin/tsc").toAbsolutePath();
        assertEquals(0, run(app, "node", tsc.toString(), "-p", "."), "the project compiles against the package");

        Path output = scratch.resolve("use.out");
        assertEquals(0, run(app, output, "node", "out/use.js", base.toString().replaceAll("/$", ""), USER), "the program runs");
        List<String> lines = Files.readAllLines(output, StandardCharsets.UTF_8);
        JsonPath result = JsonPath.from(lines.get(lines.size() - 1));
        assertEquals("saved", result.getString("state"));
        assertEquals(2, result.getInt("version"), "created, then saved once");
        as(USER).get("/sessions/" + result.getString("id")).then().statusCode(200)
                .body("title", equalTo("from the package")).body("content.steps", contains(1, 2));
    }

    private static int run(Path dir, String... command) throws IOException, InterruptedException {
        return run(dir, Files.createTempFile("client-package", ".log"), command);
    }

    /**
     * Runs a command in {@code dir}, its output to {@code output} (never to this process's own
     * streams, which carry the test runner's messages), with a time limit; prints the output when
     * the command fails.
     */
    private static int run(Path dir, Path output, String... command) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(output.toFile());
        Process process;
        try {
            process = builder.start();
        } catch (IOException e) {
            return -1; // not installed
        }
        if (!process.waitFor(3, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command) + " in " + dir + File.separator);
        }
        if (process.exitValue() != 0) {
            System.out.println(String.join(" ", command) + " answered " + process.exitValue() + ":\n" + Files.readString(output));
        }
        return process.exitValue();
    }
}
