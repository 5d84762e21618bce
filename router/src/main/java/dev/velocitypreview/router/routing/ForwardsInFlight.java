package dev.velocitypreview.router.routing;

import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Mono;
import reactor.core.publisher.MonoSink;

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
    private final Map<UUID, Set<MonoSink<SessionView>>> open = new ConcurrentHashMap<>();

    ForwardsInFlight(SessionLookup sessions) {
        this.sessions = Objects.requireNonNull(sessions, "sessions == null");
        sessions.onChange(this::changed);
    }

    /**
     * Emits the session's newer view once it leaves the machine {@code routed} names (no longer ACTIVE there, or
     * gone); at once when that already happened. Cancelling it forgets the forward.
     */
    Mono<SessionView> departure(SessionView routed) {
        return Mono.create(sink -> {
            UUID id = routed.id();
            open.compute(id, (key, sinks) -> {
                Set<MonoSink<SessionView>> held = sinks == null ? ConcurrentHashMap.newKeySet() : sinks;
                held.add(sink);
                return held;
            });
            sink.onDispose(() -> open.computeIfPresent(id, (key, sinks) -> {
                sinks.remove(sink);
                return sinks.isEmpty() ? null : sinks;
            }));
            // the view may have moved on between the decision and this registration
            SessionView now = sessions.lookup(id).orElse(null);
            if (leftMachine(routed, now)) {
                sink.success(now == null ? routed : now);
            }
        });
    }

    /** Forwards open right now, for tests and the router's gauges. */
    int size() {
        return open.values().stream().mapToInt(Set::size).sum();
    }

    private void changed(UUID id, @Nullable SessionView before, @Nullable SessionView update) {
        if (before == null || before.status() != SessionStatus.ACTIVE || !leftMachine(before, update)) {
            return;
        }
        Set<MonoSink<SessionView>> sinks = open.get(id);
        if (sinks != null) {
            SessionView latest = update == null ? before : update;
            sinks.forEach(sink -> sink.success(latest));
        }
    }

    private static boolean leftMachine(SessionView routed, @Nullable SessionView now) {
        return now == null || now.status() != SessionStatus.ACTIVE || !Objects.equals(now.machineId(), routed.machineId());
    }
}
