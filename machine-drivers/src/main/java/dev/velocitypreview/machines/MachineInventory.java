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

    /**
     * Every session's machine that is not destroyed, with its {@link Machine#createdAt()} where the platform dates it;
     * pooled machines that no session has claimed are not in it ({@link #listPooled()}).
     */
    List<Machine> list();

    /** Every pooled machine no session has claimed yet and that is not destroyed; empty where there are no pools. */
    default List<PooledMachine> listPooled() {
        return List.of();
    }

    /** Releases the inventory's own resources. */
    @Override
    void close();
}
