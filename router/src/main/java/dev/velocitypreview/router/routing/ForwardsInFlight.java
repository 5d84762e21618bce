package dev.velocitypreview.router.routing;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import reactor.core.Disposable;
import reactor.core.publisher.Mono;

/**
 * The forwards this router has open, by session, told when the session leaves the machine they went to. The
 * provisioner suspends a machine (freezes its process, or has Fly snapshot it) and only then writes SUSPENDED, so
 * for as long as the changelog takes to reach this router a request can be forwarded to a machine that will
 * not answer until it is woken; and nothing would wake it, because this router still sees it ACTIVE. When the
 * view moves on, the forward is cut off and the request decided again (held, with a RESUME), instead of
 * hanging until the client gives up.
 *
 * <p>Why not a wait in the provisioner between a SUSPENDING row and the freeze: it cannot know when every
 * router has seen the row, so any wait there is a guess; the router knows exactly when its own view changed.
 */
final class ForwardsInFlight {

    private final SessionLookup sessions;
    private final Map<UUID, Set<Consumer<SessionView>>> open = new ConcurrentHashMap<>();

    ForwardsInFlight(SessionLookup sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions == null");
        sessions.onChange(this::changed);
    }

    /**
     * Emits the session's newer view once it leaves the machine {@code routed} names (no longer ACTIVE there, or
     * gone); at once when that already happened. Cancelling it forgets the forward.
     */
    Mono<SessionView> departure(SessionView routed) {
        return Mono.create(sink -> sink.onDispose(register(routed, sink::success)));
    }

    /**
     * Calls {@code departed} with the session's newer view once it leaves the machine {@code routed} names, on the
     * thread that saw it (a Kafka Streams thread, or this one when that already happened); possibly more than once.
     * Running the returned forgets the forward.
     */
    Disposable register(SessionView routed, Consumer<SessionView> departed) {
        UUID id = routed.id();
        // One set per session, kept until the session leaves its machine: a lookup and an add, not two locked
        // updates of the session's map entry, which every request of a busy session would wait on in turn.
        Set<Consumer<SessionView>> held = open.computeIfAbsent(id, key -> ConcurrentHashMap.newKeySet());
        Consumer<SessionView> forward = departed::accept; // one object per forward, even for the same consumer
        held.add(forward);
        // The view may have moved on between the decision and this registration: the directory holds the newer
        // view before it tells. A departure that took the set before this add was a departure all the same, even
        // if the session is back on the same machine by now: the set no longer being the session's says so.
        SessionView now = sessions.lookup(id).orElse(null);
        if (leftMachine(routed, now) || open.get(id) != held) {
            departed.accept(now == null ? routed : now);
        }
        return () -> held.remove(forward);
    }

    /** Forwards open right now, for tests and the router's gauges. */
    int size() {
        return open.values().stream().mapToInt(Set::size).sum();
    }

    /**
     * Every forward still open for a session was routed to it while ACTIVE on its machine: once it is no longer
     * ACTIVE, or ACTIVE on another machine, they have all left it. The session's set goes with them, so an ended
     * session leaves none behind.
     */
    private void changed(UUID id, @Nullable SessionView before, @Nullable SessionView update) {
        boolean departed = update == null || update.status() != SessionStatus.ACTIVE
                || (before != null && before.status() == SessionStatus.ACTIVE
                        && !Objects.equals(before.machineId(), update.machineId()));
        if (!departed) {
            return;
        }
        Set<Consumer<SessionView>> forwards = open.remove(id);
        SessionView latest = update == null ? before : update;
        if (forwards != null && latest != null) {
            forwards.forEach(forward -> forward.accept(latest));
        }
    }

    private static boolean leftMachine(SessionView routed, @Nullable SessionView now) {
        return now == null || now.status() != SessionStatus.ACTIVE || !Objects.equals(now.machineId(), routed.machineId());
    }
}
