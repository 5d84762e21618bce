package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.api.SessionStatistics.Statistics;

class SessionStatisticsTest {

    private static final Instant T0 = Instant.parse("2026-05-01T08:00:00Z");
    private static final Instant NOW = T0.plus(Duration.ofHours(1));

    private static SessionView session(SessionStatus status, String reason, Instant created, Long readyAfterMs,
                                       Long endedAfterSeconds) {
        return new SessionView(UUID.randomUUID(), "user-1", UUID.randomUUID(), status, reason, null, null, null, null,
                Tier.FREE, null, 3, created, created, created, readyAfterMs == null ? null : created.plusMillis(readyAfterMs),
                null, endedAfterSeconds == null ? null : created.plusSeconds(endedAfterSeconds), null);
    }

    @Test
    void anEmptyViewHasEveryStatusAtZeroAndNoTimes() {
        Statistics statistics = SessionStatistics.scan(List.of(), NOW);

        assertThat(statistics.sessionsByStatus()).hasSize(SessionStatus.values().length).allSatisfy(
                (status, count) -> assertThat(count).isZero());
        assertThat(statistics.activeSessions()).isZero();
        assertThat(statistics.oldestActiveSession()).isNull();
        assertThat(statistics.newestActiveSession()).isNull();
        assertThat(statistics.averageSessionDurationSeconds()).isNull();
        assertThat(statistics.provisioningMillis()).isEqualTo(new SessionStatistics.Percentiles(null, null, null));
        assertThat(statistics.computedAt()).isEqualTo(NOW);
    }

    @Test
    void percentilesAreNearestRankOverTheSessionsThatBecameReady() {
        List<SessionView> sessions = new java.util.ArrayList<>();
        for (long ms = 100; ms <= 10_000; ms += 100) {
            sessions.add(session(SessionStatus.ACTIVE, null, T0, ms, null));
        }
        sessions.add(session(SessionStatus.STARTING, null, T0, null, null));

        Statistics statistics = SessionStatistics.scan(sessions, NOW);

        assertThat(statistics.provisioningMillis()).isEqualTo(new SessionStatistics.Percentiles(5_000L, 9_500L, 9_900L));
        assertThat(statistics.activeSessions()).isEqualTo(100);
        assertThat(statistics.sessionsByStatus()).containsEntry("STARTING", 1L);
    }

    @Test
    void onlySessionsTerminatedByExpiryCountAsExpiredAndEndedOnesGiveTheAverageLifetime() {
        Statistics statistics = SessionStatistics.scan(List.of(
                session(SessionStatus.TERMINATED, TerminationReason.EXPIRED, T0, 500L, 1_800L),
                session(SessionStatus.TERMINATED, TerminationReason.IDLE, T0, 500L, 600L),
                session(SessionStatus.FAILED, null, T0, null, 60L),
                session(SessionStatus.ACTIVE, null, T0.plusSeconds(30), 500L, null),
                session(SessionStatus.ACTIVE, null, T0.plusSeconds(10), 500L, null)), NOW);

        assertThat(statistics.expiredSessions()).isEqualTo(1);
        assertThat(statistics.averageSessionDurationSeconds()).isEqualTo(820.0);
        assertThat(statistics.oldestActiveSession()).isEqualTo(T0.plusSeconds(10));
        assertThat(statistics.newestActiveSession()).isEqualTo(T0.plusSeconds(30));
    }
}
