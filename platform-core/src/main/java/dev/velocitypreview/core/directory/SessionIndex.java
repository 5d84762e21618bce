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
    /**
     * The newest view of every {@link Phase#LIVE} session, in a map of its own so that the route decision for a live
     * session is one map read with one object behind it (each hop is a likely cache miss at 100 k sessions).
     * Written before a session's {@link Known} turns LIVE and removed after it stops being LIVE, so a reader that
     * finds {@link Phase#LIVE} and no view here only raced an update, and the stores answer it.
     */
    private final Map<UUID, SessionView> live = new ConcurrentHashMap<>();
    private final Map<String, Set<UUID>> byUser = new ConcurrentHashMap<>();

    @Override
    public void stored(UUID id, Source source, SessionView view) {
        Known known = sessions.get(id);
        boolean requested = source == Source.COMMANDS || known != null && known.requested();
        boolean recorded = source == Source.CHANGELOG || known != null && known.recorded();
        if (known != null && (known.phase() == Phase.ENDED || known.phase() == Phase.REMOVED && source == Source.COMMANDS)) {
            // ended is for good (the lifecycle has no way back from a terminal status), and a CREATE read after the
            // session's row was deleted does not bring the session back
            sessions.put(id, Known.of(known.phase(), requested, recorded));
        } else {
            SessionView newest = SessionView.newest(live.get(id), view);
            if (newest.status().isTerminal()) {
                sessions.put(id, Known.of(Phase.ENDED, requested, recorded));
                live.remove(id);
            } else {
                live.put(id, newest);
                sessions.put(id, Known.of(Phase.LIVE, requested, recorded));
            }
        }
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
            live.remove(id);
            // the store that held the session last names its user (a CREATE and every row carry it)
            if (previous != null && previous.userId() != null) {
                byUser.computeIfPresent(previous.userId(), (user, ids) -> {
                    ids.remove(id);
                    return ids.isEmpty() ? null : ids;
                });
            }
        } else if (source == Source.CHANGELOG) {
            // the row is gone: the session is, even while its CREATE waits for cleanup's tombstone
            sessions.put(id, Known.of(Phase.REMOVED, requested, false));
            live.remove(id);
        } else {
            sessions.put(id, Known.of(known.phase(), false, recorded));
        }
    }

    /** What the index knows of a session, or null when no store holds it. */
    Known known(UUID id) {
        return sessions.get(id);
    }

    /** The newest view of a session that has not ended, or null (unknown, ended, removed, or an update under way). */
    SessionView live(UUID id) {
        return live.get(id);
    }

    /** The ids of a user's sessions that some store holds. */
    Set<UUID> idsOf(String userId) {
        return byUser.getOrDefault(userId, Set.of());
    }

    /** How much the index holds right now; counts by a scan, for operators and tests, not for every request. */
    public Stats stats() {
        int indexed = 0;
        for (Set<UUID> ids : byUser.values()) {
            indexed += ids.size();
        }
        return new Stats(sessions.size(), live.size(), byUser.size(), indexed);
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
     * Which stores hold a session and where it is; a value of a few bits, so one shared instance per combination
     * serves every session (the index costs no object per session for it).
     *
     * @param requested the requested store holds the session's CREATE
     * @param recorded  the sessions store holds a row of it
     */
    record Known(Phase phase, boolean requested, boolean recorded) {

        private static final Known[] ALL = new Known[Phase.values().length * 4];

        static {
            for (Phase phase : Phase.values()) {
                for (int flags = 0; flags < 4; flags++) {
                    ALL[phase.ordinal() * 4 + flags] = new Known(phase, (flags & 1) != 0, (flags & 2) != 0);
                }
            }
        }

        static Known of(Phase phase, boolean requested, boolean recorded) {
            return ALL[phase.ordinal() * 4 + (requested ? 1 : 0) + (recorded ? 2 : 0)];
        }
    }
}
