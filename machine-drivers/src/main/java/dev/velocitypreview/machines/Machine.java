package dev.velocitypreview.machines;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

/**
 * A machine as its driver last saw it.
 *
 * @param url       where the preview runtime answers HTTP, or null until the machine is ready
 * @param region    where it runs ("local" for child processes)
 * @param createdAt when the machine was created, where the driver knows it (always in a {@link MachineInventory}
 *                  listing that the driver's platform dates); null otherwise
 */
public record Machine(String id, UUID sessionId, MachineState state, String url, String region, Instant createdAt) {
    public Machine {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(state, "state == null");
    }

    /** A machine whose creation time the driver did not look up. */
    public Machine(String id, UUID sessionId, MachineState state, String url, String region) {
        this(id, sessionId, state, url, region, null);
    }

    public Machine withState(MachineState newState, String newUrl) {
        return new Machine(id, sessionId, newState, newUrl, region, createdAt);
    }
}
