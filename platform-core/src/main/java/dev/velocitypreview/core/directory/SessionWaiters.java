package dev.velocitypreview.core.directory;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Predicate;
import java.util.function.Supplier;

import dev.velocitypreview.core.session.SessionView;

/**
 * Requests parked until their session changes. The directory's processors call
 * {@link #publish} after every store update; a waiter registers before it reads the store, so
 * no update can fall between its read and its registration.
 */
final class SessionWaiters {

    private final Map<UUID, Set<Waiter>> byId = new ConcurrentHashMap<>();

    Waiter register(UUID id, Predicate<SessionView> until) {
        Waiter waiter = new Waiter(id, until, new CompletableFuture<>());
        // added inside compute, atomically with remove(): a set the last waiter just emptied is dropped
        // from the map, and a waiter added to it afterwards would never be woken
        byId.compute(id, (k, set) -> {
            Set<Waiter> waiting = set == null ? ConcurrentHashMap.newKeySet() : set;
            waiting.add(waiter);
            return waiting;
        });
        waiter.future.whenComplete((view, error) -> remove(waiter));
        return waiter;
    }

    /** Offers the session's current view, read only when someone waits for it, to its waiters. */
    void publish(UUID id, Supplier<SessionView> current) {
        Set<Waiter> waiters = byId.get(id);
        if (waiters == null) {
            return;
        }
        SessionView view = current.get();
        if (view == null) {
            return;
        }
        for (Waiter waiter : waiters) {
            waiter.offer(view);
        }
    }

    int size() {
        return byId.values().stream().mapToInt(Set::size).sum();
    }

    private void remove(Waiter waiter) {
        byId.computeIfPresent(waiter.id, (k, set) -> {
            set.remove(waiter);
            return set.isEmpty() ? null : set;
        });
    }

    record Waiter(UUID id, Predicate<SessionView> until, CompletableFuture<SessionView> future) {
        void offer(SessionView view) {
            if (until.test(view)) {
                future.complete(view);
            }
        }
    }
}
