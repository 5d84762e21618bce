package dev.velocitypreview.router.publish;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

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
    /** A count that fell to zero and is leaving {@link #open}; any count below zero is. */
    private static final int CLOSED = -1;

    private final Clock clock;
    private final Counter overflow;
    private final int maxSessions;
    /** When each session was last seen in use since the last drain. */
    private final Map<UUID, Instant> seen = new ConcurrentHashMap<>();
    /**
     * Forwards open right now, by session (a WebSocket's lasts until it closes). Counted in the entry rather than by
     * replacing it: every forward of a busy session began and ended on the same entry, and replacing it locks it, so
     * the event loops waited in turn on whichever of them the machine had descheduled (docs/benchmarks.md §4). A
     * count that fell to zero is closed ({@link #CLOSED}) and leaves; a forward that finds it closed counts anew.
     */
    private final Map<UUID, AtomicInteger> open = new ConcurrentHashMap<>();

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
        // not seen here: while it is open a drain sees it now, and its end is seen when it ends (one map write fewer
        // on every request, all of a session's requests contending for the same entry)
        while (true) {
            AtomicInteger count = open.get(sessionId);
            if (count == null) {
                if (open.size() >= maxSessions) {
                    overflow.increment();
                    return;
                }
                count = open.computeIfAbsent(sessionId, id -> new AtomicInteger());
            }
            int now = count.get();
            if (now >= 0) {
                if (count.compareAndSet(now, now + 1)) {
                    return;
                }
            } else {
                // closed by the session's last end, which may not have taken it out yet
                open.remove(sessionId, count);
            }
        }
    }

    @Override
    public void ended(UUID sessionId) {
        AtomicInteger count = open.get(sessionId);
        if (count != null && count.decrementAndGet() == 0 && count.compareAndSet(0, CLOSED)) {
            open.remove(sessionId, count);
        }
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
