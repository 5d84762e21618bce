package dev.velocitypreview.sessions.console;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Bin;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Histogram;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Lag;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.SessionRow;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Source;

class ConsoleFiguresTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    private static SessionView session(SessionStatus status, String machine, Duration ago) {
        UUID id = UUID.randomUUID();
        Instant requested = NOW.minus(ago);
        return new SessionView(id, "user-" + id.toString().substring(0, 8), UUID.randomUUID(), status, null, null,
                machine, null, "local", Tier.FREE, null, 1, requested, requested, requested, null, null, null,
                Duration.ofMinutes(10));
    }

    private static MetricsScrape scrape(String source, String text) {
        return MetricsScrape.answered(source, PrometheusText.parse(text));
    }

    @Test
    void newestSessionsComeFirstWithTheirStatusMachineAgeAndOwner() {
        List<SessionView> sessions = new ArrayList<>();
        for (int i = 0; i < 25; i++) {
            sessions.add(session(SessionStatus.ACTIVE, "m-" + i, Duration.ofMinutes(30 - i)));
        }
        SessionView newest = session(SessionStatus.STARTING, "m-new", Duration.ofSeconds(42));
        sessions.add(newest);

        ConsoleSnapshot snapshot = ConsoleFigures.snapshot(NOW, Map.of("ACTIVE", 25L, "STARTING", 1L), sessions, List.of());

        assertThat(snapshot.viewReady()).isTrue();
        assertThat(snapshot.newestSessions()).hasSize(ConsoleFigures.NEWEST);
        assertThat(snapshot.newestSessions().get(0)).isEqualTo(new SessionRow(newest.id(), "STARTING", "m-new",
                newest.userId(), newest.projectId(), 42L));
        assertThat(snapshot.newestSessions().get(1).machineId()).isEqualTo("m-24");
        assertThat(snapshot.newestSessions()).extracting(SessionRow::machineId).doesNotContain("m-0", "m-4");
        assertThat(snapshot.sessionsByStatus()).containsEntry("ACTIVE", 25L);
    }

    @Test
    void machinesAreTheSessionsThatHoldOneAndHaveNotEnded() {
        List<SessionView> sessions = List.of(
                session(SessionStatus.ACTIVE, "m-1", Duration.ofMinutes(1)),
                session(SessionStatus.ACTIVE, "m-2", Duration.ofMinutes(1)),
                session(SessionStatus.SUSPENDED, "m-3", Duration.ofMinutes(1)),
                session(SessionStatus.REQUESTED, null, Duration.ofMinutes(1)),
                session(SessionStatus.TERMINATED, "m-4", Duration.ofMinutes(1)));

        ConsoleSnapshot snapshot = ConsoleFigures.snapshot(NOW, Map.of(), sessions, List.of());

        assertThat(snapshot.machinesByState()).containsEntry("ACTIVE", 2L).containsEntry("SUSPENDED", 1L)
                .containsEntry("REQUESTED", 0L).doesNotContainKey("TERMINATED");
    }

    @Test
    void whileTheViewLoadsSessionFiguresAreUnknownAndMetricsStillShow() {
        ConsoleSnapshot snapshot = ConsoleFigures.snapshot(NOW, null, null, List.of(scrape("router",
                "velocity_provisioner_commands_dead_lettered_total 2.0\n")));

        assertThat(snapshot.viewReady()).isFalse();
        assertThat(snapshot.sessionsByStatus()).isNull();
        assertThat(snapshot.newestSessions()).isNull();
        assertThat(snapshot.deadLettered()).isEqualTo(2.0);
    }

    @Test
    void histogramBucketsOfEverySourceAndTagAddUpIntoTheChartsBins() {
        MetricsScrape routerA = scrape("a", """
                velocity_router_hold_duration_seconds_bucket{from="requested",le="0.05"} 1
                velocity_router_hold_duration_seconds_bucket{from="requested",le="0.3"} 3
                velocity_router_hold_duration_seconds_bucket{from="requested",le="+Inf"} 4
                velocity_router_hold_duration_seconds_count{from="requested"} 4
                velocity_router_hold_duration_seconds_sum{from="requested"} 200.5
                velocity_router_hold_duration_seconds_max{from="requested"} 199.0
                velocity_router_hold_duration_seconds_bucket{from="suspended",le="1.0"} 2
                velocity_router_hold_duration_seconds_bucket{from="suspended",le="+Inf"} 2
                velocity_router_hold_duration_seconds_count{from="suspended"} 2
                velocity_router_hold_duration_seconds_sum{from="suspended"} 1.5
                velocity_router_hold_duration_seconds_max{from="suspended"} 0.9
                """);
        MetricsScrape routerB = scrape("b", """
                velocity_router_hold_duration_seconds_bucket{from="requested",le="0.01"} 1
                velocity_router_hold_duration_seconds_bucket{from="requested",le="+Inf"} 1
                velocity_router_hold_duration_seconds_count{from="requested"} 1
                velocity_router_hold_duration_seconds_sum{from="requested"} 0.005
                """);

        Histogram hold = ConsoleFigures.histogram(List.of(routerA, routerB), ConsoleFigures.ROUTER_HOLD);

        assertThat(hold.count()).isEqualTo(7);
        assertThat(hold.sumSeconds()).isEqualTo(202.005);
        assertThat(hold.maxSeconds()).isEqualTo(199.0);
        Map<Double, Long> bins = new LinkedHashMap<>();
        for (Bin bin : hold.bins()) {
            bins.put(bin.upToSeconds(), bin.count());
        }
        // 0.05 → the 0.05 bin; the bucket up to 0.3 lies within 0.5; the one at 1.0 in 1.0; the one above in the last
        assertThat(bins).containsEntry(0.01, 1L).containsEntry(0.05, 1L).containsEntry(0.25, 0L)
                .containsEntry(0.5, 2L).containsEntry(1.0, 2L).containsEntry(null, 1L);
        assertThat(hold.bins().stream().mapToLong(Bin::count).sum()).isEqualTo(hold.count());
    }

    @Test
    void aTimerWithoutBucketsHasCountsAndNoBins() {
        Histogram provisioning = ConsoleFigures.histogram(List.of(scrape("this process", """
                velocity_sessions_provisioning_seconds_count 2
                velocity_sessions_provisioning_seconds_sum 9.0
                velocity_sessions_provisioning_seconds_max 6.0
                """)), ConsoleFigures.PROVISIONING);

        assertThat(provisioning).isEqualTo(new Histogram(2, 9.0, 6.0, List.of()));
    }

    @Test
    void aFigureNoSourceHasIsUnknownRatherThanZero() {
        ConsoleSnapshot snapshot = ConsoleFigures.snapshot(NOW, Map.of(), List.of(),
                List.of(scrape("this process", "velocity_sync_held 0\n"),
                        MetricsScrape.unavailable("http://cleanup/actuator/prometheus", "no answer within PT2S")));

        assertThat(snapshot.routerHold()).isNull();
        assertThat(snapshot.cleanupActions()).isNull();
        assertThat(snapshot.deadLettered()).isNull();
        assertThat(snapshot.relayLagMillis()).isNull();
        assertThat(snapshot.sources()).containsExactly(new Source("this process", true, null),
                new Source("http://cleanup/actuator/prometheus", false, "no answer within PT2S"));
    }

    @Test
    void countersAddUpAcrossInstancesAndChangelogLagIsPerSource() {
        ConsoleSnapshot snapshot = ConsoleFigures.snapshot(NOW, Map.of(), List.of(), List.of(
                scrape("this process", """
                        velocity_directory_changelog_lag_seconds_count 4
                        velocity_directory_changelog_lag_seconds_sum 0.2
                        velocity_directory_changelog_lag_seconds_max 0.1
                        """),
                scrape("cleanup-1", """
                        velocity_cleanup_actions_total{action="expire"} 2
                        velocity_cleanup_actions_total{action="purge"} 1
                        """),
                scrape("cleanup-2", "velocity_cleanup_actions_total{action=\"expire\"} 3\n"),
                scrape("provisioner", """
                        velocity_provisioner_commands_dead_lettered_total 1
                        velocity_cdc_lag_milliseconds 12
                        """)));

        assertThat(snapshot.cleanupActions()).containsExactly(Map.entry("expire", 5.0), Map.entry("purge", 1.0));
        assertThat(snapshot.deadLettered()).isEqualTo(1.0);
        assertThat(snapshot.relayLagMillis()).isEqualTo(12.0);
        assertThat(snapshot.changelogLag()).containsExactly(new Lag("this process", 4, 0.05, 0.1));
    }
}
