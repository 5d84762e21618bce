package dev.velocitypreview.machines;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;

import dev.velocitypreview.core.session.MachineSize;

/**
 * What to run for one place in a warm pool: a template's files, whose runtime prepares their dependencies and starts
 * their dev server with no session, then waits for a claim.
 *
 * @param pool       the pool's key, tagged on the machine
 * @param slot       the pool's id for this place, tagged on the machine; find-or-create goes by it
 * @param claimToken the secret a claim must present ({@code PREVIEW_POOL_TOKEN} in the runtime's environment); the
 *                   machine accepts exactly one session's claim with it, so code that reads it after the claim can do
 *                   nothing with it
 * @param files      the template's files
 * @param env        extra environment for the runtime (no session's: a pooled machine has none yet)
 */
public record PooledMachineSpec(String pool, UUID slot, MachineSize size, String claimToken, List<ProjectFile> files,
                                Map<String, String> env) {
    public PooledMachineSpec {
        Objects.requireNonNull(pool, "pool == null");
        Objects.requireNonNull(slot, "slot == null");
        Objects.requireNonNull(size, "size == null");
        Objects.requireNonNull(claimToken, "claimToken == null");
        files = List.copyOf(files);
        env = Map.copyOf(env);
    }

    @Override
    public String toString() {
        return "PooledMachineSpec[pool=" + pool + ", slot=" + slot + ", size=" + size + ", files=" + files.size() + "]";
    }
}
