package dev.velocitypreview.machines;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.velocitypreview.core.session.MachineSize;

/**
 * What to run for one session.
 *
 * @param size      the size the session's tier granted (local machines ignore it)
 * @param attemptId unique per provisioning attempt, recorded on the machine so logs of a retried
 *                  create can be told apart
 * @param files     the project's files, materialized by the preview runtime
 * @param env       extra environment for the runtime
 */
public record MachineSpec(UUID sessionId, String userId, UUID projectId, MachineSize size, String attemptId,
                          List<ProjectFile> files, Map<String, String> env) {
    public MachineSpec {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(projectId, "projectId == null");
        Objects.requireNonNull(size, "size == null");
        Objects.requireNonNull(attemptId, "attemptId == null");
        files = List.copyOf(files);
        env = Map.copyOf(env);
    }
}
