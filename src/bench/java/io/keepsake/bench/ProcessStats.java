package io.keepsake.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** CPU time and memory of a running process, from /proc and jcmd. */
final class ProcessStats {

    private static final long TICKS_PER_SECOND = clockTicksPerSecond();

    private ProcessStats() {
    }

    /** utime + stime of a process, in clock ticks (fields 14 and 15 of /proc/pid/stat, counted from 1). */
    static long cpuTicks(long pid) throws IOException {
        String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
        // The command name (field 2) is in parentheses and may hold spaces: count from after it.
        String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
        return Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3]);
    }

    /**
     * utime + stime of a process's JIT compiler threads and of its garbage collector's threads, in
     * milliseconds (from /proc/pid/task/tid/stat; threads ended since are not counted).
     */
    static double[] compilerAndGcMs(long pid) throws IOException {
        double[] ms = new double[2];
        try (DirectoryStream<Path> tasks = Files.newDirectoryStream(Path.of("/proc", Long.toString(pid), "task"))) {
            for (Path task : tasks) {
                String stat;
                try {
                    stat = Files.readString(task.resolve("stat"));
                } catch (NoSuchFileException e) {
                    continue; // ended meanwhile
                }
                String name = stat.substring(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
                String[] fields = stat.substring(stat.lastIndexOf(')') + 2).trim().split(" ");
                double threadMs = (Long.parseLong(fields[14 - 3]) + Long.parseLong(fields[15 - 3])) * 1000.0 / TICKS_PER_SECOND;
                if (name.startsWith("C1 Compiler") || name.startsWith("C2 Compiler")) {
                    ms[0] += threadMs;
                } else if (name.startsWith("GC Thread") || name.startsWith("G1 ")) {
                    ms[1] += threadMs;
                }
            }
        }
        return ms;
    }

    /** utime + stime of a process in milliseconds, in steps of a clock tick (10 ms at the usual 100 a second). */
    static double cpuMs(long pid) throws IOException {
        return cpuTicks(pid) * 1000.0 / TICKS_PER_SECOND;
    }

    static long clockTicksPerSecond() {
        try {
            Process getconf = new ProcessBuilder("getconf", "CLK_TCK").redirectErrorStream(true).start();
            String out = new String(getconf.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
            return getconf.waitFor() == 0 ? Long.parseLong(out) : 100;
        } catch (IOException | InterruptedException | NumberFormatException e) {
            return 100;
        }
    }

    /** A "Vm...:" line of /proc/pid/status in KiB, -1 if the process is gone. */
    static long statusKb(long pid, String field) throws IOException {
        try {
            for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid), "status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.replaceAll("[^0-9]", ""));
                }
            }
        } catch (NoSuchFileException e) {
            // exited
        }
        return -1;
    }

    static long rssKb(long pid) throws IOException {
        return statusKb(pid, "VmRSS:");
    }

    /** Heap in use after a full GC, from jcmd. */
    static long heapKb(long pid) throws IOException, InterruptedException {
        new ProcessBuilder("jcmd", Long.toString(pid), "GC.run").redirectErrorStream(true).start().waitFor();
        Process info = new ProcessBuilder("jcmd", Long.toString(pid), "GC.heap_info").redirectErrorStream(true).start();
        String out = new String(info.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        info.waitFor();
        Matcher used = Pattern.compile("used (\\d+)K").matcher(out);
        return used.find() ? Long.parseLong(used.group(1)) : -1;
    }

    /** Garbage collections so far: young count, full count and total seconds, from jstat (null if unavailable). */
    static long[] gcCounts(long pid) throws IOException, InterruptedException {
        Process jstat = new ProcessBuilder("jstat", "-gcutil", Long.toString(pid)).redirectErrorStream(true).start();
        List<String> lines = new String(jstat.getInputStream().readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        jstat.waitFor();
        if (lines.size() < 2) {
            return null;
        }
        List<String> names = List.of(lines.get(0).trim().split("\\s+"));
        String[] values = lines.get(1).trim().split("\\s+");
        int ygc = names.indexOf("YGC");
        int fgc = names.indexOf("FGC");
        int gct = names.indexOf("GCT");
        if (ygc < 0 || fgc < 0 || gct < 0) {
            return null;
        }
        return new long[] {Long.parseLong(values[ygc]), Long.parseLong(values[fgc]),
            Math.round(Double.parseDouble(values[gct]))};
    }
}
