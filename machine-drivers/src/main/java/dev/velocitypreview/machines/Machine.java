package dev.velocitypreview.machines;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A machine as its driver last saw it.
 *
 * @param url       where the preview runtime answers HTTP, or null until the machine is ready
 * @param region    where it runs ("local" for child processes)
 * @param createdAt when the driver created the machine, or null when it cannot tell; reconciliation leaves a
 *                  machine younger than its grace period alone (its CREATE may still be writing the row)
 */
public record Machine(String id, UUID sessionId, MachineState state, @Nullable String url, @Nullable String region,
                      @Nullable Instant createdAt) {
    public Machine {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(state, "state == null");
    }

    /** A machine whose creation time is not known. */
    public Machine(String id, UUID sessionId, MachineState state, @Nullable String url, @Nullable String region) {
        this(id, sessionId, state, url, region, null);
    }

    public Machine withState(MachineState newState, @Nullable String newUrl) {
        return new Machine(id, sessionId, newState, newUrl, region, createdAt);
    }
}
