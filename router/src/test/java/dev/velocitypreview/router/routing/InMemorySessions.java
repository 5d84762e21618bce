package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionView;

/** A {@link SessionLookup} whose sessions a test sets; wakes waiters like the real directory does. */
final class InMemorySessions implements SessionLookup {

    private final Map<UUID, SessionView> views = new ConcurrentHashMap<>();
    private final Set<Waiter> waiters = ConcurrentHashMap.newKeySet();
    private final List<SessionDirectory.Listener> listeners = new CopyOnWriteArrayList<>();
    private volatile boolean ready = true;

    void ready(boolean ready) {
        this.ready = ready;
    }

    /** Stores {@code view} if it is newer than what is held, then wakes the waiters of its session. */
    void put(SessionView view) {
        SessionView before = views.get(view.id());
        views.merge(view.id(), view, (held, incoming) -> incoming.supersedes(held) ? incoming : held);
        SessionView now = views.get(view.id());
        if (now != before) {
            listeners.forEach(listener -> listener.changed(view.id(), before, now));
        }
        waiters.stream().filter(w -> w.id.equals(view.id())).forEach(w -> w.offer(now));
    }

    @Override
    public boolean isReady() {
        return ready;
    }

    @Override
    public Optional<SessionView> lookup(UUID id) {
        return Optional.ofNullable(views.get(id));
    }

    @Override
    public CompletableFuture<SessionView> await(UUID id, Predicate<SessionView> until, Duration max) {
        Waiter waiter = new Waiter(id, until, new CompletableFuture<>());
        waiters.add(waiter);
        waiter.future.whenComplete((v, e) -> waiters.remove(waiter));
        lookup(id).ifPresent(waiter::offer);
        return waiter.future.orTimeout(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    @Override
    public void onChange(SessionDirectory.Listener listener) {
        listeners.add(listener);
    }

    @Override
    public int waiting() {
        return waiters.size();
    }

    private record Waiter(UUID id, Predicate<SessionView> until, CompletableFuture<SessionView> future) {
        void offer(SessionView view) {
            if (until.test(view)) {
                future.complete(view);
            }
        }
    }
}
