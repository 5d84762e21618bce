package dev.velocitypreview.machines;

import java.time.Instant;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * A machine made ahead of any session for a warm pool, as its driver last saw it: tagged with its pool and its slot,
 * with no session. It serves nothing until a session {@linkplain MachineDriver#claim claims} it; from then on it is
 * that session's {@link Machine}, and no longer pooled.
 *
 * @param pool the pool's key (template and prepared dependencies)
 * @param slot the pool's own id for it, chosen before the machine existed, so a create repeated after a crash finds it
 * @param url  where its runtime answers, or null while it is parked (suspended) or not ready
 */
public record PooledMachine(String id, String pool, UUID slot, MachineState state, @Nullable String url,
                            @Nullable String region, @Nullable Instant createdAt) {
    public PooledMachine {
        Objects.requireNonNull(id, "id == null");
        Objects.requireNonNull(pool, "pool == null");
        Objects.requireNonNull(slot, "slot == null");
        Objects.requireNonNull(state, "state == null");
    }
}
