package io.keepsake.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.keepsake.testing.ServiceProcess;

/**
 * Start-up of the packaged service with and without the JDK's AOT cache (build with -Paot on
 * JDK 25, which writes target/quarkus-app/app.aot): time from process start to a ready service
 * (readiness 200, embedded store open), and the time Quarkus reports. Runs alternate between the two.
 */
final class StartupBenchmark {

    private static final Pattern STARTED = Pattern.compile("started in (\\d+\\.\\d+)s");

    static String run(int runs) throws Exception {
        StringBuilder report = new StringBuilder("## Start-up: JVM with and without the AOT cache\n\n");
        report.append(String.format(Locale.ROOT, "JDK %s; %d cores; embedded store; %d runs each, alternating.%n%n",
                Runtime.version(), Runtime.getRuntime().availableProcessors(), runs));
        if (!Files.exists(ServiceProcess.APP.resolve("app.aot")) || Runtime.version().feature() < 25) {
            return report.append("Skipped: needs target/quarkus-app/app.aot and JDK 25 "
                    + "(JAVA_HOME=<JDK 25> ./mvnw -Pbench,aot verify -Dbench.only=startup).\n").toString();
        }
        List<Duration> plainReady = new ArrayList<>();
        List<Duration> aotReady = new ArrayList<>();
        List<Double> plainQuarkus = new ArrayList<>();
        List<Double> aotQuarkus = new ArrayList<>();
        for (int i = 0; i < runs; i++) {
            measure(List.of(), plainReady, plainQuarkus);
            measure(List.of("-XX:AOTCache=app.aot"), aotReady, aotQuarkus);
        }
        report.append("| JVM options | ready, median ms | ready, min–max ms | Quarkus \"started in\", median s |\n")
                .append("|---|---|---|---|\n");
        row(report, "(none)", plainReady, plainQuarkus);
        row(report, "-XX:AOTCache=app.aot", aotReady, aotQuarkus);
        return report.toString();
    }

    private static void measure(List<String> options, List<Duration> ready, List<Double> quarkus)
            throws Exception {
        Path log = Path.of("target", "bench", "startup-server.log");
        Files.deleteIfExists(log); // each start's own "started in"
        try (ServiceProcess service = ServiceProcess.start(Files.createTempDirectory("keepsake-bench"), log, options)) {
            ready.add(service.awaitReady());
        }
        Matcher started = STARTED.matcher(Files.readString(log));
        if (started.find()) {
            quarkus.add(Double.parseDouble(started.group(1)));
        }
    }

    private static void row(StringBuilder report, String options, List<Duration> ready, List<Double> quarkus) {
        List<Long> ms = ready.stream().map(Duration::toMillis).sorted().toList();
        List<Double> reported = quarkus.stream().sorted().toList();
        report.append(String.format(Locale.ROOT, "| %s | %d | %d–%d | %.2f |%n", options, ms.get(ms.size() / 2),
                ms.get(0), ms.get(ms.size() - 1), reported.isEmpty() ? Double.NaN : reported.get(reported.size() / 2)));
    }
}
