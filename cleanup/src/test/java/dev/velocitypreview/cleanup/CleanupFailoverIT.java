package dev.velocitypreview.cleanup;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestClock;

import static dev.velocitypreview.cleanup.CleanupTopicsFixture.row;
import static org.awaitility.Awaitility.await;

/** Two cleanup instances share the partitions; one stops while sessions expire; each is terminated exactly once. */
class CleanupFailoverIT {

    private static final int SESSIONS = 40;

    @Test
    void everyExpiredSessionIsTerminatedExactlyOnceWhenAnInstanceStopsMidWay() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        TestClock clock = TestClock.stoppedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS));
        String group = "cleanup-failover-" + UUID.randomUUID();
        try (CleanupTopicsFixture topics = new CleanupTopicsFixture(bootstrap);
             RunningCleanup first = RunningCleanup.start(bootstrap, group, clock, new ListedMachines(), Map.of());
             RunningCleanup second = RunningCleanup.start(bootstrap, group, clock, new ListedMachines(), Map.of())) {
            first.awaitRunning();
            second.awaitRunning();
            Instant now = clock.instant();
            List<UUID> sessions = new ArrayList<>();
            for (int i = 0; i < SESSIONS; i++) {
                UUID session = UUID.randomUUID();
                sessions.add(session);
                // half expire a minute from now, half two minutes from now: the stop falls between them
                topics.publish(row(session, SessionStatus.ACTIVE, 3, now, now.plusSeconds(i % 2 == 0 ? 60 : 120),
                        Duration.ofHours(1), null));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> sessions.stream()
                    .allMatch(id -> first.tracked(id) != null || second.tracked(id) != null));

            clock.advance(Duration.ofSeconds(61));
            await().atMost(Duration.ofSeconds(10)).until(() -> topics.countsOf(sessions, SessionCommand.Type.TERMINATE)
                    .values().stream().anyMatch(count -> count > 0));
            first.close();
            clock.advance(Duration.ofSeconds(60));

            await().atMost(Duration.ofSeconds(60)).until(() -> topics.countsOf(sessions, SessionCommand.Type.TERMINATE)
                    .values().stream().allMatch(count -> count == 1));
            clock.advance(Duration.ofSeconds(5));
            await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> topics.countsOf(sessions,
                    SessionCommand.Type.TERMINATE).values().stream().allMatch(count -> count == 1));
        }
    }
}
