package dev.velocitypreview.sessions.api;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;

/**
 * The figures of {@code GET /v1/admin/statistics} and of the sessions-by-status gauges, from one scan of this
 * API's own view (never the database). A scan reads every session the view holds, live and retained, so its
 * result is kept for {@link #FRESH_FOR} and shared by the requests and scrapes of that second. Public for the
 * operator console, which shows the same figures.
 */
@Component
public class SessionStatistics {

    static final Duration FRESH_FOR = Duration.ofSeconds(1);

    private final SessionDirectory directory;
    private final Clock clock;
    private @Nullable Statistics last;

    SessionStatistics(SessionDirectory directory, Clock clock) {
        this.directory = directory;
        this.clock = clock;
    }

    /**
     * @param activeSessions               sessions whose status is ACTIVE
     * @param expiredSessions              sessions terminated with reason {@code expired} that the view still holds
     *                                     (ended sessions stay until the retention purges them)
     * @param sessionsByStatus             every status, in lifecycle order, zeros included
     * @param oldestActiveSession          when the longest-running ACTIVE session was created; null when none is
     * @param newestActiveSession          when the most recent ACTIVE session was created; null when none is
     * @param averageSessionDurationSeconds creation to end, over the ended sessions the view holds; null when none
     * @param provisioningMillis           creation to ready (its first page served), over the sessions that got there
     * @param computedAt                   when the scan ran
     */
    public record Statistics(long activeSessions, long expiredSessions, Map<String, Long> sessionsByStatus,
                      @Nullable Instant oldestActiveSession, @Nullable Instant newestActiveSession,
                      @Nullable Double averageSessionDurationSeconds, Percentiles provisioningMillis, Instant computedAt) {

        long count(SessionStatus status) {
            return sessionsByStatus.get(status.name());
        }
    }

    /** Nearest-rank percentiles; null when there is nothing to rank. */
    public record Percentiles(@Nullable Long p50, @Nullable Long p95, @Nullable Long p99) {
    }

    /**
     * The figures of at most {@link #FRESH_FOR} ago; the caller checked that the view is ready. Concurrent
     * callers wait for one scan rather than each running their own.
     */
    public synchronized Statistics current() {
        Instant now = clock.instant();
        Statistics cached = last;
        if (cached != null && !now.isBefore(cached.computedAt()) && now.isBefore(cached.computedAt().plus(FRESH_FOR))) {
            return cached;
        }
        last = scan(directory.find(view -> true), now);
        return last;
    }

    static Statistics scan(List<SessionView> sessions, Instant now) {
        Map<SessionStatus, Long> byStatus = new EnumMap<>(SessionStatus.class);
        for (SessionStatus status : SessionStatus.values()) {
            byStatus.put(status, 0L);
        }
        long expired = 0;
        Instant oldest = null;
        Instant newest = null;
        double endedSeconds = 0;
        long ended = 0;
        List<Long> provisioning = new ArrayList<>();
        for (SessionView view : sessions) {
            byStatus.merge(view.status(), 1L, Long::sum);
            Instant created = view.createdAt() != null ? view.createdAt() : view.requestedAt();
            if (view.status() == SessionStatus.ACTIVE && created != null) {
                oldest = oldest == null || created.isBefore(oldest) ? created : oldest;
                newest = newest == null || created.isAfter(newest) ? created : newest;
            }
            if (view.status() == SessionStatus.TERMINATED && TerminationReason.EXPIRED.equals(view.statusReason())) {
                expired++;
            }
            if (view.status().isTerminal() && created != null && view.terminatedAt() != null) {
                endedSeconds += Duration.between(created, view.terminatedAt()).toMillis() / 1000.0;
                ended++;
            }
            if (view.createdAt() != null && view.readyAt() != null && !view.readyAt().isBefore(view.createdAt())) {
                provisioning.add(Duration.between(view.createdAt(), view.readyAt()).toMillis());
            }
        }
        Collections.sort(provisioning);
        Map<String, Long> counts = new LinkedHashMap<>();
        byStatus.forEach((status, count) -> counts.put(status.name(), count));
        return new Statistics(byStatus.get(SessionStatus.ACTIVE), expired, Collections.unmodifiableMap(counts), oldest,
                newest, ended == 0 ? null : endedSeconds / ended,
                new Percentiles(rank(provisioning, 50), rank(provisioning, 95), rank(provisioning, 99)), now);
    }

    private static @Nullable Long rank(List<Long> sorted, int percentile) {
        if (sorted.isEmpty()) {
            return null;
        }
        int index = (int) Math.ceil(percentile / 100.0 * sorted.size()) - 1;
        return sorted.get(Math.max(0, index));
    }

    /** A status as a metric tag: lower case, as the API's other tags are. */
    static String tag(SessionStatus status) {
        return status.name().toLowerCase(Locale.ROOT);
    }
}
