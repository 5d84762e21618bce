package dev.velocitypreview.machines;

import java.util.Objects;
import java.util.UUID;

/**
 * A machine as its driver last saw it.
 *
 * @param url    where the preview runtime answers HTTP, or null until the machine is ready
 * @param region where it runs ("local" for child processes)
 */
public record Machine(String id, UUID sessionId, MachineState state, String url, String region) {
    public Machine {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(state, "state == null");
    }

    public Machine withState(MachineState newState, String newUrl) {
        return new Machine(id, sessionId, newState, newUrl, region);
    }
}
