package io.keepsake.task;

import java.time.Instant;
import java.util.List;
import java.util.Map;

import jakarta.annotation.security.RolesAllowed;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;

import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

import io.quarkus.runtime.annotations.RegisterForReflection;
import io.smallrye.mutiny.Uni;

/** {@code /persistence/admin/tasks}: queue depth by status and the latest dead tasks, for operators. */
@Path("/persistence/admin/tasks")
@RolesAllowed("admin")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Operations", description = "For operators (role admin)")
public class TaskAdminResource {

    private final TaskQueue queue;

    public TaskAdminResource(TaskQueue queue) {
        this.queue = queue;
    }

    @RegisterForReflection
    public record DeadTask(String id, String type, Map<String, String> payload, int attempts, String lastError,
            Instant updatedAt) {
    }

    @RegisterForReflection
    @Schema(name = "TaskOverview")
    public record Overview(Map<String, Long> counts, List<DeadTask> dead) {
    }

    @Operation(summary = "Task queue depth and dead tasks")
    @APIResponse(responseCode = "200", description = "Counts by status and the latest dead tasks")
    @GET
    public Uni<Overview> overview() {
        return queue.counts().onItem().transformToUni(counts -> queue.dead(50).map(dead -> new Overview(counts,
                dead.stream().map(t -> new DeadTask(t.id, t.type, t.payload, t.attempts, t.lastError, t.updatedAt))
                        .toList())));
    }
}
