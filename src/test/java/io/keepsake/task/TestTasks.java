package io.keepsake.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

import jakarta.enterprise.context.ApplicationScoped;

import io.smallrye.mutiny.Uni;

/**
 * A task type of the tests' own, run by the application's runner: it records when each task (by
 * the {@code id} in its payload) ran, and fails the first {@code fail} runs of a task.
 */
@ApplicationScoped
public class TestTasks implements TaskHandler {

    public static final String TYPE = "test-task";

    private final Map<String, List<Instant>> runs = new ConcurrentHashMap<>();

    @Override
    public String type() {
        return TYPE;
    }

    @Override
    public Uni<Void> handle(Map<String, String> payload) {
        List<Instant> times = runs.computeIfAbsent(payload.get("id"), id -> new CopyOnWriteArrayList<>());
        times.add(Instant.now());
        int fail = Integer.parseInt(payload.getOrDefault("fail", "0"));
        return times.size() <= fail ? Uni.createFrom().failure(new IllegalStateException("planned failure " + times.size()))
                : Uni.createFrom().voidItem();
    }

    /** When the task with this id ran, oldest first. */
    public List<Instant> runs(String id) {
        return List.copyOf(runs.getOrDefault(id, List.of()));
    }
}
