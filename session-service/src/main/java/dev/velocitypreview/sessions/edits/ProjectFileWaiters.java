package dev.velocitypreview.sessions.edits;

import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Held syncs waiting for a change of their project, woken by the {@code ProjectFileNotice}s this instance reads. A
 * waiter is registered before its sync reads the database, so a change committed between that read and the wait
 * still wakes it. A waiter is a future: completing, cancelling or timing it out removes it.
 */
public final class ProjectFileWaiters {

    private final ConcurrentHashMap<UUID, Set<CompletableFuture<Void>>> waiting = new ConcurrentHashMap<>();
    private final AtomicInteger count = new AtomicInteger();

    /** Completes at the next notice for {@code projectId}; cancel it when no longer needed. */
    public CompletableFuture<Void> next(UUID projectId) {
        CompletableFuture<Void> waiter = new CompletableFuture<>();
        waiting.compute(projectId, (id, set) -> {
            Set<CompletableFuture<Void>> waiters = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiters.add(waiter);
            return waiters;
        });
        count.incrementAndGet();
        waiter.whenComplete((done, error) -> {
            waiting.computeIfPresent(projectId, (id, set) -> {
                set.remove(waiter);
                return set.isEmpty() ? null : set;
            });
            count.decrementAndGet();
        });
        return waiter;
    }

    /** Wakes every waiter of {@code projectId}. */
    public void noticed(UUID projectId) {
        Set<CompletableFuture<Void>> waiters = waiting.get(projectId);
        if (waiters != null) {
            for (CompletableFuture<Void> waiter : Set.copyOf(waiters)) {
                waiter.complete(null);
            }
        }
    }

    /** How many syncs wait for a notice now. */
    public int waiting() {
        return count.get();
    }
}
