package io.keepsake.testing;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/** Child processes of the tests and benchmarks that serve on a port of this machine. */
public final class ChildProcesses {

    private ChildProcesses() {
    }

    /** Waits until 127.0.0.1:{@code port} accepts connections; false if the process exited first or time ran out. */
    public static boolean awaitListening(Process process, int port, Duration atMost) throws InterruptedException {
        long deadline = System.nanoTime() + atMost.toNanos();
        while (System.nanoTime() < deadline && process.isAlive()) {
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return true;
            } catch (IOException notYet) {
                Thread.sleep(20);
            }
        }
        return false;
    }

    /** SIGTERM, and SIGKILL if the process has not exited 10 s later. */
    public static void stop(Process process) throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
