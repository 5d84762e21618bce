package dev.velocitypreview.core.directory;

import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import dev.velocitypreview.core.directory.SessionDirectoryTopology.Source;
import dev.velocitypreview.core.session.SessionView;

/**
 * What a session directory keeps beside its stores, filled by the topology's {@link SessionDirectoryTopology.Changes}:
 * for every session a store holds, which stores hold it and, while it has not ended, its newest view decoded once
 * (the stores hold JSON, and decoding it was the largest cost of a routing decision); and the ids of each user's
 * sessions. A session that both stores forgot (retention's two tombstones) is forgotten here too, its user's entry
 * with it, so the index is bounded by what the stores hold: live sessions and ended ones in retention.
 *
 * <p>One writer, the global stream thread; readers on any thread. Public for the benchmark, which measures the
 * directory's memory on the real topology without a broker.
 */
public final class SessionIndex implements SessionDirectoryTopology.Changes {

    private final Map<UUID, Known> sessions = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byUser = new ConcurrentHashMap<>();

    @Override
    public void stored(UUID id, Source source, SessionView view) {
        Known known = sessions.get(id);
        boolean requested = source == Source.COMMANDS || known != null && known.requested();
        boolean recorded = source == Source.CHANGELOG || known != null && known.recorded();
        Known next;
        if (known != null && (known.phase() == Phase.ENDED || known.phase() == Phase.REMOVED && source == Source.COMMANDS)) {
            // ended is for good (the lifecycle has no way back from a terminal status), and a CREATE read after the
            // session's row was deleted does not bring the session back
            next = new Known(null, known.phase(), requested, recorded);
        } else {
            SessionView newest = SessionView.newest(known == null ? null : known.live(), view);
            next = newest.status().isTerminal() ? new Known(null, Phase.ENDED, requested, recorded)
                    : new Known(newest, Phase.LIVE, requested, recorded);
        }
        sessions.put(id, next);
        if (view.userId() != null) {
            byUser.computeIfAbsent(view.userId(), user -> ConcurrentHashMap.newKeySet()).add(id);
        }
    }

    @Override
    public void removed(UUID id, Source source, SessionView previous) {
        Known known = sessions.get(id);
        if (known == null) {
            return;
        }
        boolean requested = source != Source.COMMANDS && known.requested();
        boolean recorded = source != Source.CHANGELOG && known.recorded();
        if (!requested && !recorded) {
            sessions.remove(id);
            // the store that held the session last names its user (a CREATE and every row carry it)
            if (previous != null && previous.userId() != null) {
                byUser.computeIfPresent(previous.userId(), (user, ids) -> {
                    ids.remove(id);
                    return ids.isEmpty() ? null : ids;
                });
            }
        } else if (source == Source.CHANGELOG) {
            // the row is gone: the session is, even while its CREATE waits for cleanup's tombstone
            sessions.put(id, new Known(null, Phase.REMOVED, requested, false));
        } else {
            sessions.put(id, new Known(known.live(), known.phase(), false, recorded));
        }
    }

    /** What the index knows of a session, or null when no store holds it. */
    Known known(UUID id) {
        return sessions.get(id);
    }

    /** The ids of a user's sessions that some store holds. */
    Set<UUID> idsOf(String userId) {
        return byUser.getOrDefault(userId, Set.of());
    }

    /** How much the index holds right now; counts by a scan, for operators and tests, not for every request. */
    public Stats stats() {
        int live = 0;
        for (Known known : sessions.values()) {
            if (known.phase() == Phase.LIVE) {
                live++;
            }
        }
        int indexed = 0;
        for (Set<UUID> ids : byUser.values()) {
            indexed += ids.size();
        }
        return new Stats(sessions.size(), live, byUser.size(), indexed);
    }

    /**
     * @param sessions    sessions some store holds (live, ended in retention, or deleted with their CREATE still held)
     * @param liveViews   of those, the ones whose decoded newest view is kept (not ended)
     * @param users       users with at least one such session
     * @param userEntries session ids in the per-user index
     */
    public record Stats(int sessions, int liveViews, int users, int userEntries) {
    }

    /** Where a session is in the index's eyes. */
    enum Phase {
        /** Not ended: its newest view is kept decoded. */
        LIVE,
        /** Its newest row is terminal: read from the stores, rarely asked for. */
        ENDED,
        /** Its row was deleted: unknown to readers, though its CREATE may still be held. */
        REMOVED
    }

    /**
     * @param live      the newest view, for a {@link Phase#LIVE} session only
     * @param requested the requested store holds the session's CREATE
     * @param recorded  the sessions store holds a row of it
     */
    record Known(SessionView live, Phase phase, boolean requested, boolean recorded) {
    }
}
