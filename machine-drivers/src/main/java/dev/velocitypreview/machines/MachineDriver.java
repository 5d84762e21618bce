package dev.velocitypreview.machines;

import java.time.Duration;
import java.util.Optional;
import java.util.UUID;

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

    /** Destroys a machine; a machine that is already gone is not an error. */
    void destroy(String machineId);

    /** Releases the driver's own resources. Machines are left as they are. */
    @Override
    void close();
}
