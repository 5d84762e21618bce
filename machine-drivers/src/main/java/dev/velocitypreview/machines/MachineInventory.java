package dev.velocitypreview.machines;

import java.util.List;

/**
 * A read-only view of where previews run: the machines that exist, each tagged with its session. Cleanup
 * compares a listing with the sessions it knows to find machines without a live session and sessions
 * without a machine; it never changes a machine through this seam (it asks the provisioner to).
 *
 * <p>Implementations are thread-safe and every call is bounded in time; a failure is a
 * {@link MachineException}, never a partial list.
 */
public interface MachineInventory extends AutoCloseable {

    /** Every machine that is not destroyed, with its {@link Machine#createdAt()} where the platform dates it. */
    List<Machine> list();

    /** Releases the inventory's own resources. */
    @Override
    void close();
}
