package io.keepsake.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Runs wrk (with --latency and a Lua script) and reads its figures. */
final class Wrk {

    private static final Pattern PERCENTILE = Pattern.compile("^\\s+(50|99)(?:\\.0+)?%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);

    private Wrk() {
    }

    /** One run of {@code duration} seconds; errors are the answers other than 2xx/3xx and the socket errors. */
    static HttpBenchmark.Figure run(String url, String script, int threadCount, int connections, int duration)
            throws IOException, InterruptedException {
        List<String> command = List.of("wrk", "-t" + threadCount, "-c" + connections, "-d" + duration + "s", "--latency",
                "-s", script, url, "--", Integer.toString(threadCount));
        Process wrk = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(wrk.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        wrk.waitFor();
        Matcher rps = Pattern.compile("Requests/sec:\\s+([0-9.]+)").matcher(out);
        if (!rps.find()) {
            throw new IllegalStateException("wrk said:\n" + out);
        }
        Matcher requests = Pattern.compile("(\\d+) requests in ").matcher(out);
        if (!requests.find()) {
            throw new IllegalStateException("wrk said:\n" + out);
        }
        double p50 = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentile = PERCENTILE.matcher(out);
        while (percentile.find()) {
            double value = Double.parseDouble(percentile.group(2));
            double ms = switch (percentile.group(3)) {
                case "us" -> value / 1000;
                case "s" -> value * 1000;
                default -> value;
            };
            if (percentile.group(1).equals("50")) {
                p50 = ms;
            } else {
                p99 = ms;
            }
        }
        long errors = 0;
        Matcher non2xx = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)").matcher(out);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = Pattern.compile("Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)").matcher(out);
        if (socket.find()) {
            for (int g = 1; g <= 4; g++) {
                errors += Long.parseLong(socket.group(g));
            }
        }
        return new HttpBenchmark.Figure(Double.parseDouble(rps.group(1)), p50, p99, errors, Long.parseLong(requests.group(1)),
                Double.NaN, Double.NaN, Double.NaN);
    }

    static boolean installed() {
        try {
            return new ProcessBuilder("wrk", "--version").redirectErrorStream(true).start().waitFor() >= 0;
        } catch (IOException | InterruptedException e) {
            return false;
        }
    }
}
