package io.keepsake.bench;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.Options;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;

import com.fasterxml.jackson.databind.ObjectMapper;

import io.keepsake.hashing.CanonicalJson;

/** Runs the benchmarks of {@code -Pbench}, prints their figures and writes target/bench/report.md. */
public final class BenchMain {

    private BenchMain() {
    }

    /** {@code -Xmx256m}, and whatever {@code -Dbench.serverJvm} adds (space-separated; for profiling). */
    static List<String> serverJvm() {
        List<String> args = new ArrayList<>(List.of("-Xmx256m"));
        String more = System.getProperty("bench.serverJvm", "").trim();
        if (!more.isEmpty()) {
            args.addAll(List.of(more.split("\\s+")));
        }
        return args;
    }

    public static void main(String[] args) throws Exception {
        Path out = Path.of("target", "bench");
        Files.createDirectories(out);
        // -Dbench.only=hash|notices|startup|durability|idle|search|catchup|http runs one of them (default: all but idle);
        // -Dbench.store=embedded|separate|both: where the HTTP benchmark's service keeps its data
        String only = System.getProperty("bench.only", "all");
        StringBuilder report = new StringBuilder("# Keepsake benchmarks\n\n");
        if (only.equals("all") || only.equals("hash")) {
            canonicalHash(out, report);
        }
        if (only.equals("all") || only.equals("notices")) {
            NoticeBenchmark.Result notices = new NoticeBenchmark(
                    Integer.getInteger("bench.idle", 9_000), Integer.getInteger("bench.subscribers", 1_000),
                    Integer.getInteger("bench.warmupWrites", 5), 20).run();
            report.append('\n').append(NoticeBenchmark.report(notices));
        }
        if (only.equals("all") || only.equals("startup")) {
            report.append('\n').append(StartupBenchmark.run(Integer.getInteger("bench.startups", 7)));
        }
        if (only.equals("all") || only.equals("durability")) {
            DurabilityBenchmark.Result durability = new DurabilityBenchmark(Integer.getInteger("bench.idleSeconds", 60),
                    Integer.getInteger("bench.clients", 8), Integer.getInteger("bench.seconds", 10),
                    Integer.getInteger("bench.writes", 10_000)).run();
            report.append('\n').append(DurabilityBenchmark.report(durability));
        }
        if (only.equals("idle")) {
            // Not part of "all": the durability benchmark measures idle too, earlier after start.
            report.append('\n').append(DurabilityBenchmark.report(new DurabilityBenchmark(
                    Integer.getInteger("bench.idleSeconds", 60), 0, 0, 0).idleOnly(Integer.getInteger("bench.idleFrom", 60))));
        }
        if (only.equals("all") || only.equals("search")) {
            report.append('\n').append(LongSearchBenchmark.run(Integer.getInteger("bench.sessions", 120),
                    Integer.getInteger("bench.seconds", 10)));
        }
        if (only.equals("all") || only.equals("catchup")) {
            report.append('\n').append(CatchUpBenchmark.run(Integer.getInteger("bench.saves", 1_000)));
        }
        if (only.equals("all") || only.equals("http")) {
            report.append('\n').append(new HttpBenchmark(2, Integer.getInteger("bench.connections", 16),
                    Integer.getInteger("bench.seconds", 10), Integer.getInteger("bench.warmup", 3),
                    System.getProperty("bench.scenarios", "all"), System.getProperty("bench.store", "embedded")).run());
        }
        Files.writeString(out.resolve("report.md"), report);
        System.out.println();
        System.out.println(report);
        System.out.println("Report written to " + out.resolve("report.md").toAbsolutePath());
    }

    private static void canonicalHash(Path out, StringBuilder report) throws Exception {
        Options options = new OptionsBuilder()
                .include(CanonicalHashBenchmark.class.getSimpleName())
                .warmupIterations(3).warmupTime(TimeValue.seconds(2))
                .measurementIterations(5).measurementTime(TimeValue.seconds(2))
                .forks(1)
                .jvmArgs("-Xmx1g")
                .resultFormat(ResultFormatType.JSON)
                .result(out.resolve("canonical-hash.json").toString())
                .build();
        Collection<RunResult> results = new Runner(options).run();

        report.append("## Canonicalise + SHA-256 of workbench JSON (target: median < 10 ms)\n\n")
                .append(String.format(Locale.ROOT, "JDK %s; %d cores.%n%n", Runtime.version(),
                        Runtime.getRuntime().availableProcessors()));
        for (String mix : new String[] {"typical", "numeric"}) {
            var state = new CanonicalHashBenchmark();
            state.mix = mix;
            state.setUp();
            int canonicalBytes = CanonicalJson.of(new ObjectMapper().readTree(state.body)).length();
            report.append(String.format(Locale.ROOT, "- %s: %,d bytes as sent (pretty-printed), %,d bytes canonical%n",
                    mix, state.body.length, canonicalBytes));
        }
        report.append("\n| benchmark | content | median ms | p90 ms | p99 ms | samples |\n|---|---|---|---|---|---|\n");
        for (RunResult result : results) {
            Statistics stats = result.getPrimaryResult().getStatistics();
            String name = result.getParams().getBenchmark().replaceAll(".*\\.", "");
            report.append(String.format(Locale.ROOT, "| %s | %s | %.2f | %.2f | %.2f | %d |%n", name,
                    result.getParams().getParam("mix"), stats.getPercentile(50), stats.getPercentile(90),
                    stats.getPercentile(99), stats.getN()));
        }
    }
}
