package io.keepsake.task;

import java.util.Map;

import io.smallrye.mutiny.Uni;

/**
 * Runs one type of task. Handlers must be idempotent: a task whose runner died after doing the
 * work but before recording it is run again.
 */
public interface TaskHandler {

    String type();

    Uni<Void> handle(Map<String, String> payload);
}
