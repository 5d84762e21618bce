package dev.velocitypreview.router.publish;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.router.routing.SessionUse;

/**
 * The sessions seen in use since the last {@link #drain}, and those with a forward open right now. Bounded: past
 * {@link #MAX_SESSIONS} sessions a new one is not tracked (counted as dropped) until the next drain.
 *
 * <p>Thread-safe; {@link #began} and {@link #ended} are map updates, cheap enough for the request path.
 */
final class SessionsInUse implements SessionUse {

    /** Far above the sessions one router serves in an interval; keeps a flood of ids from growing the heap. */
    static final int MAX_SESSIONS = 100_000;

    private final Clock clock;
    private final Counter overflow;
    private final int maxSessions;
    /** When each session was last seen in use since the last drain. */
    private final Map<UUID, Instant> seen = new ConcurrentHashMap<>();
    /** Forwards open right now, by session (a WebSocket's lasts until it closes). */
    private final Map<UUID, Integer> open = new ConcurrentHashMap<>();

    SessionsInUse(Clock clock, Counter overflow) {
        this(clock, overflow, MAX_SESSIONS);
    }

    SessionsInUse(Clock clock, Counter overflow, int maxSessions) {
        this.clock = clock;
        this.overflow = overflow;
        this.maxSessions = maxSessions;
    }

    @Override
    public void began(UUID sessionId) {
        if (open.size() >= maxSessions && !open.containsKey(sessionId)) {
            overflow.increment();
            return;
        }
        // not seen here: while it is open a drain sees it now, and its end is seen when it ends (one map write fewer
        // on every request, all of a session's requests contending for the same entry)
        open.merge(sessionId, 1, Integer::sum);
    }

    @Override
    public void ended(UUID sessionId) {
        open.computeIfPresent(sessionId, (id, count) -> count == 1 ? null : count - 1);
        see(sessionId);
    }

    private void see(UUID sessionId) {
        if (seen.size() >= maxSessions && !seen.containsKey(sessionId)) {
            overflow.increment();
            return;
        }
        seen.put(sessionId, clock.instant());
    }

    /**
     * One activity per session seen in use since the last drain, when it was last seen; a session with a forward
     * open now is seen now. Forgets what it returns but the open forwards.
     */
    List<SessionActivity> drain() {
        Instant now = clock.instant();
        Map<UUID, Instant> batch = new HashMap<>();
        for (UUID id : open.keySet()) {
            batch.put(id, now);
        }
        for (UUID id : seen.keySet()) {
            Instant at = seen.remove(id);
            if (at != null) {
                batch.merge(id, at, (a, b) -> a.isAfter(b) ? a : b);
            }
        }
        List<SessionActivity> out = new ArrayList<>(batch.size());
        batch.forEach((id, at) -> out.add(new SessionActivity(id, at)));
        return out;
    }

    /** Sessions with a forward open right now. */
    int open() {
        return open.size();
    }
}
