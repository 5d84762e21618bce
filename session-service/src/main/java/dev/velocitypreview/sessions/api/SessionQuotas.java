package dev.velocitypreview.sessions.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import java.util.stream.Collectors;

import org.springframework.stereotype.Component;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.identity.Caller;

/**
 * Admits a new session only while the caller has fewer sessions that have not ended (REQUESTED
 * through STOPPING) than their tier allows, counted from the view.
 *
 * <p>Two things could let a user past the limit, and both are closed within one instance: two
 * requests of the same user counting at the same time (the count and the publish run under a
 * per-user lock), and the view trailing a 202 by a few milliseconds (sessions this instance
 * published are counted until the view shows them). Instances do not share these locks: a burst
 * of creates by one user spread over N instances may exceed the limit by up to N - 1 sessions.
 */
@Component
class SessionQuotas {

    static final String CONCURRENT_SESSIONS = "concurrent-sessions";
    private static final int STRIPES = 64;
    /** Far longer than the view ever trails; bounds the memory of sessions it never showed. */
    private static final Duration UNSEEN_HORIZON = Duration.ofMinutes(1);

    private final SessionDirectory directory;
    private final SessionServiceProperties properties;
    private final Clock clock;
    private final ReentrantLock[] locks = new ReentrantLock[STRIPES];
    private final Map<UUID, Published> unseen = new ConcurrentHashMap<>();

    private record Published(String userId, Instant at) {
    }

    SessionQuotas(SessionDirectory directory, SessionServiceProperties properties, Clock clock) {
        this.directory = directory;
        this.properties = properties;
        this.clock = clock;
        for (int i = 0; i < STRIPES; i++) {
            locks[i] = new ReentrantLock();
        }
    }

    /**
     * Runs {@code publish} for a new session of {@code caller} unless that goes over their tier's
     * limit. A session this instance or the view already knows (a retry with the same
     * Idempotency-Key) takes no new slot. The view must be ready.
     *
     * @param publish returns only once the command is stored; throws otherwise
     * @throws ApiProblem 429 naming the limit, with members {@code limit} and {@code usage}
     */
    void admit(Caller caller, UUID sessionId, Runnable publish) {
        ReentrantLock lock = locks[Math.floorMod(caller.userId().hashCode(), STRIPES)];
        lock.lock();
        try {
            boolean known = unseen.containsKey(sessionId) || directory.lookup(sessionId).isPresent();
            if (!known) {
                int limit = properties.limits(caller.tier()).maxConcurrentSessions();
                int usage = usage(caller.userId());
                if (usage >= limit) {
                    throw ApiProblem.tooManyRequests("quota_exceeded", "the " + caller.tier().wireName()
                            + " tier allows " + limit + " concurrent sessions and " + usage
                            + " have not ended yet; terminate one or wait until one ends")
                            .with("quota", CONCURRENT_SESSIONS).with("tier", caller.tier().wireName())
                            .with("limit", limit).with("usage", usage);
                }
            }
            publish.run();
            if (!known) {
                unseen.put(sessionId, new Published(caller.userId(), clock.instant()));
            }
        } finally {
            lock.unlock();
        }
    }

    /** The user's sessions that have not ended: those in the view and those published but not yet in it. */
    int usage(String userId) {
        // forget what the view shows now before reading it, so that nothing falls between the two
        Instant horizon = clock.instant().minus(UNSEEN_HORIZON);
        unseen.entrySet().removeIf(entry -> entry.getValue().at().isBefore(horizon)
                || directory.lookup(entry.getKey()).isPresent());
        Set<UUID> live = directory.findOf(userId, view -> !view.status().isTerminal())
                .stream().map(SessionView::id).collect(Collectors.toSet());
        long published = unseen.entrySet().stream()
                .filter(entry -> entry.getValue().userId().equals(userId) && !live.contains(entry.getKey()))
                .count();
        return live.size() + (int) published;
    }
}
