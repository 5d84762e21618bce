package dev.velocitypreview.machines;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

import dev.velocitypreview.core.edits.MachineClaim;

/**
 * Where previews run. The provisioner talks to machines only through this seam; local child processes
 * and Fly Machines are its implementations. A driver is also its platform's {@link MachineInventory}
 * ({@link #list()}); cleanup, which never changes a machine, reads only that.
 *
 * <p>Every machine is tagged with the session it serves, and there is at most one live machine
 * per session: {@link #create} is find-or-create by that tag (a machine name is not an
 * idempotency key), so a create delivered again never yields a second machine.
 *
 * <p>Implementations are thread-safe; calls for different sessions may run concurrently.
 * Every call is bounded in time. A driver retries the transient failures of the platform it drives
 * itself, inside that bound (only it knows Fly's {@code Retry-After} and rate limits): a
 * {@link MachineException} it throws is its last word on the call, which callers do not retry again.
 * {@link MachineException#isTransient()} says whether a later, separate attempt may succeed.
 */
public interface MachineDriver extends MachineInventory {

    /** The live (not destroyed) machine tagged with this session, if there is one. */
    Optional<Machine> findBySession(UUID sessionId);

    /**
     * Creates and launches a machine for {@code spec}, or returns the session's live machine when it
     * has one already (launched again if it was stopped); returns as soon as the machine exists.
     */
    Machine create(MachineSpec spec);

    /**
     * Waits until the machine has started and the preview runtime inside it reports healthy.
     *
     * @return the machine with its {@link Machine#url()} set
     * @throws MachineException with {@code transient == false} when the runtime reports that it
     *                          cannot become healthy (for example a refused file), or the wait ran out
     */
    Machine awaitReady(Machine machine, Duration timeout);

    /**
     * Starts a stopped or suspended machine again; its url may change. A suspended machine resumes with the
     * memory it had; a machine that is running already is left as it is.
     */
    Machine start(String machineId);

    /** Stops a machine but keeps it, so that {@link #start} can bring it back. */
    void stop(String machineId);

    /**
     * Suspends a machine: like {@link #stop}, but where the platform can keep the machine's memory, so
     * that {@link #start} resumes it faster; the machine is then {@link MachineState#SUSPENDED}. Suspending a
     * suspended machine again changes nothing. Drivers that cannot suspend stop instead.
     */
    default void suspend(String machineId) {
        stop(machineId);
    }

    /**
     * Creates a machine for a warm pool, tagged with its pool and slot and with no session, or returns the live machine
     * of that slot when there is one; returns as soon as the machine exists. Its runtime starts in pool mode (see
     * {@link PooledMachineSpec#claimToken()}) and serves nothing but its health and its claim.
     *
     * @throws MachineException permanent when this driver keeps no pools
     */
    default PooledMachine createPooled(PooledMachineSpec spec) {
        throw new MachineException(getClass().getSimpleName() + " keeps no warm pools", false);
    }

    /**
     * Waits until a pooled machine's runtime is warm (its dev server answered its first page), then parks it as the
     * platform keeps spare machines: Fly suspends it, so that a claim resumes it with its dev server running; a local
     * machine stays running.
     *
     * @return the machine as parked
     * @throws MachineException permanent when the runtime reports it cannot become ready, or the wait ran out
     */
    default PooledMachine awaitWarm(PooledMachine machine, Duration timeout) {
        throw new MachineException(getClass().getSimpleName() + " keeps no warm pools", false);
    }

    /**
     * Hands a pooled machine to a session: tags it with the session (from then on {@link #findBySession} and
     * {@link #list} show it as the session's, and it is pooled no more), wakes it where it is parked, sends its runtime
     * the claim (the driver adds the session's replay state where its platform replays) and waits for the runtime to
     * answer that the project's files are in place. Safe to repeat for the same session: a claim sent again after a
     * crash is answered as the first, and one sent on a resume reaches a machine that restarted in pool mode (Fly boots
     * its image again) and applies there; a machine the driver launches as the session's after its claim (local) gets
     * no claim again.
     *
     * @param claimToken the token the machine was created with
     * @return the session's machine, ready, with its {@link Machine#url()}
     * @throws MachineException permanent when the machine is gone, claimed by another session, or refuses the claim
     *                          (the caller destroys it and creates a fresh machine); transient when it may answer later
     */
    default Machine claim(String machineId, MachineClaim claim, String claimToken, Duration timeout) {
        throw new MachineException(getClass().getSimpleName() + " keeps no warm pools", false);
    }

    /** Destroys a machine, pooled or not; a machine that is already gone is not an error. */
    void destroy(String machineId);

    /** Releases the driver's own resources. Machines are left as they are. */
    @Override
    void close();
}
