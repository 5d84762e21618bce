package dev.velocitypreview.sessions.edits;

import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.SessionEditReport;

/**
 * The newest {@link SessionEditReport} of each session, as this instance read them from
 * {@code preview.session-edits} (a session's dev server state), and the writes waiting for their previews to report
 * them ({@code ?wait=applied}). Bounded: a session is dropped when the directory removes it, and past
 * {@link #MAX_SESSIONS} the session reported longest ago goes first.
 */
public final class SessionEditReports {

    /** Far more previews than one deployment runs at once; a report is a few hundred bytes. */
    static final int MAX_SESSIONS = 100_000;

    private final int maxSessions;
    private final Map<UUID, SessionEditReport> latest;
    private final ConcurrentHashMap<UUID, Set<Watch>> watches = new ConcurrentHashMap<>();

    public SessionEditReports() {
        this(MAX_SESSIONS);
    }

    SessionEditReports(int maxSessions) {
        this.maxSessions = maxSessions;
        this.latest = new LinkedHashMap<>() {
            @Override
            protected boolean removeEldestEntry(Map.Entry<UUID, SessionEditReport> eldest) {
                return size() > SessionEditReports.this.maxSessions;
            }
        };
    }

    /** Takes a report read from the topic: the session's newest, and news to whoever watches the session. */
    public void accept(SessionEditReport report) {
        synchronized (latest) {
            // removed first, so the order of the map is the order sessions last reported in
            latest.remove(report.sessionId());
            latest.put(report.sessionId(), report);
        }
        Set<Watch> watching = watches.get(report.sessionId());
        if (watching != null) {
            for (Watch watch : watching) {
                watch.reported(report);
            }
        }
    }

    public Optional<SessionEditReport> latest(UUID sessionId) {
        synchronized (latest) {
            return Optional.ofNullable(latest.get(sessionId));
        }
    }

    /** The session is gone from the directory: nothing will ask for its dev server state again. */
    public void forget(UUID sessionId) {
        synchronized (latest) {
            latest.remove(sessionId);
        }
    }

    int size() {
        synchronized (latest) {
            return latest.size();
        }
    }

    /**
     * Starts collecting the session's reports, before the write it waits for is published, so that a report that
     * comes before the provisioner's answer still counts. Close it when done.
     */
    public Watch watch(UUID sessionId) {
        Watch watch = new Watch(sessionId);
        watches.compute(sessionId, (id, set) -> {
            Set<Watch> watching = set == null ? ConcurrentHashMap.newKeySet() : set;
            watching.add(watch);
            return watching;
        });
        return watch;
    }

    /** One session's reports since it was watched, taken together. */
    public final class Watch implements AutoCloseable {

        private final UUID sessionId;
        private final Map<String, Long> written = new HashMap<>();
        private final Set<String> deleted = new HashSet<>();
        private final CompletableFuture<SessionEditReport> done = new CompletableFuture<>();
        private @Nullable Map<String, Long> expectedWritten;
        private @Nullable Set<String> expectedDeleted;
        private @Nullable SessionEditReport last;

        private Watch(UUID sessionId) {
            this.sessionId = sessionId;
        }

        public UUID sessionId() {
            return sessionId;
        }

        /**
         * Completes with the report after which the session has written each of {@code puts} at its version or a
         * later one and removed each of {@code deletes} (what the machine said in every report since the watch
         * began, so a write it took in two syncs counts too); its outcome is the preview's state then.
         */
        public synchronized CompletableFuture<SessionEditReport> until(Map<String, Long> puts, Collection<String> deletes) {
            expectedWritten = Map.copyOf(puts);
            expectedDeleted = Set.copyOf(deletes);
            check();
            return done;
        }

        private synchronized void reported(SessionEditReport report) {
            for (FileVersion file : report.result().written()) {
                written.merge(file.path(), file.version(), Math::max);
                deleted.remove(file.path());
            }
            for (String path : report.result().deleted()) {
                deleted.add(path);
                written.remove(path);
            }
            last = report;
            check();
        }

        private void check() {
            if (expectedWritten == null || expectedDeleted == null || last == null || done.isDone()) {
                return;
            }
            for (Map.Entry<String, Long> put : expectedWritten.entrySet()) {
                Long version = written.get(put.getKey());
                if (version == null || version < put.getValue()) {
                    return;
                }
            }
            if (deleted.containsAll(expectedDeleted)) {
                done.complete(last);
            }
        }

        @Override
        public void close() {
            watches.computeIfPresent(sessionId, (id, set) -> {
                set.remove(this);
                return set.isEmpty() ? null : set;
            });
        }
    }
}
