package dev.velocitypreview.cleanup;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestClock;

import static dev.velocitypreview.cleanup.CleanupTopicsFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** One cleanup instance on a real broker, time driven by a test clock, the changelog written by the test. */
class CleanupIT {

    private static final Duration IDLE = Duration.ofMinutes(5);
    private static final Duration FAR = Duration.ofDays(30);

    private static final TestClock clock = TestClock.stoppedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private static final ListedMachines machines = new ListedMachines();
    private static CleanupTopicsFixture topics;
    private static RunningCleanup cleanup;

    @BeforeAll
    static void start() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        topics = new CleanupTopicsFixture(bootstrap);
        cleanup = RunningCleanup.start(bootstrap, "cleanup-it-" + UUID.randomUUID(), clock, machines, Map.of())
                .awaitRunning();
    }

    @AfterAll
    static void stop() {
        if (cleanup != null) {
            cleanup.close();
        }
        if (topics != null) {
            topics.close();
        }
    }

    @Test
    void sessionPastItsTtlIsTerminatedExpiredOnceWithinSeconds() {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(session, SessionStatus.ACTIVE, 3, now, now.plusSeconds(60), Duration.ofHours(1), null));
        awaitNothingFor(session);

        clock.advance(Duration.ofSeconds(61));

        await().atMost(Duration.ofSeconds(5)).until(() -> !topics.commandsFor(session, SessionCommand.Type.TERMINATE).isEmpty());
        SessionCommand.Terminate terminate = (SessionCommand.Terminate) topics.commandsFor(session, SessionCommand.Type.TERMINATE).get(0);
        assertThat(terminate.reason()).isEqualTo(TerminationReason.EXPIRED);
        assertThat(terminate.userId()).isEqualTo(CleanupTopicsFixture.USER);
        clock.advance(Duration.ofSeconds(5));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> topics.writtenFor(session).size() == 1);
    }

    @Test
    void idleSessionIsSuspendedAndOneInUseIsNot() {
        UUID idle = UUID.randomUUID();
        UUID inUse = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(idle, SessionStatus.ACTIVE, 3, now, now.plus(FAR), IDLE, "local-0000000000a1"));
        topics.publish(row(inUse, SessionStatus.ACTIVE, 3, now, now.plus(FAR), IDLE, "local-0000000000a2"));
        awaitTracked(idle, inUse);
        machines.add(machine("local-0000000000a1", idle, now));
        machines.add(machine("local-0000000000a2", inUse, now));

        clock.advance(Duration.ofMinutes(4));
        topics.seen(inUse, clock.instant());
        await().atMost(Duration.ofSeconds(5)).until(() -> cleanup.tracked(inUse) != null
                && cleanup.tracked(inUse).lastSeen() != null);
        clock.advance(Duration.ofMinutes(2));

        await().atMost(Duration.ofSeconds(5)).until(() -> topics.commandsFor(idle, SessionCommand.Type.SUSPEND).size() == 1);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).untilAsserted(() -> {
            assertThat(topics.writtenFor(inUse)).as("written for the session in use").isEmpty();
            assertThat(topics.writtenFor(idle)).as("written for the idle session").hasSize(1);
        });
    }

    @Test
    void suspendedSessionIsTerminatedIdleAfterTheSuspendedTimeout() {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(session, SessionStatus.SUSPENDED, 5, now, now.plus(FAR), IDLE, null));

        clock.advance(Duration.ofMinutes(59));
        awaitNothingFor(session);
        clock.advance(Duration.ofMinutes(2));

        await().atMost(Duration.ofSeconds(5)).until(() -> topics.commandsFor(session, SessionCommand.Type.TERMINATE).size() == 1);
        assertThat(((SessionCommand.Terminate) topics.commandsFor(session, SessionCommand.Type.TERMINATE).get(0)).reason())
                .isEqualTo(TerminationReason.IDLE);
    }

    @Test
    void expiryWinsOverIdle() {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(session, SessionStatus.ACTIVE, 3, now, now.plus(IDLE), IDLE, null));

        clock.advance(IDLE.plusMinutes(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> topics.commandsFor(session, SessionCommand.Type.TERMINATE).size() == 1);
        assertThat(((SessionCommand.Terminate) topics.commandsFor(session, SessionCommand.Type.TERMINATE).get(0)).reason())
                .isEqualTo(TerminationReason.EXPIRED);
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> topics.commandsFor(session, SessionCommand.Type.SUSPEND).isEmpty());
    }

    @Test
    void endedSessionPastTheRetentionIsPurgedWithACommandTombstone() {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(session, SessionStatus.TERMINATED, 7, now, now.plusSeconds(60), IDLE, null));

        clock.advance(Duration.ofDays(6));
        awaitNothingFor(session);
        clock.advance(Duration.ofDays(1).plusMinutes(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> topics.writtenFor(session).size() == 2);
        assertThat(topics.writtenFor(session).get(0).command().type()).isEqualTo(SessionCommand.Type.PURGE);
        assertThat(topics.writtenFor(session).get(1).command()).as("the tombstone of the session's CREATE").isNull();
    }

    @Test
    void orphanMachineIsReapedAfterTheGraceAndNotBefore() {
        UUID unknown = UUID.randomUUID();
        UUID ended = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(ended, SessionStatus.TERMINATED, 9, now, now.plus(FAR), IDLE, "local-0000000000b2"));
        awaitTracked(ended);
        machines.add(machine("local-0000000000b1", unknown, now));
        machines.add(machine("local-0000000000b2", ended, now));

        clock.advance(Duration.ofMinutes(1));
        awaitNothingFor(unknown);
        assertThat(topics.writtenFor(ended)).isEmpty();
        clock.advance(Duration.ofMinutes(1).plusSeconds(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> topics.commandsFor(unknown, SessionCommand.Type.REAP_MACHINE).size() == 1
                && topics.commandsFor(ended, SessionCommand.Type.REAP_MACHINE).size() == 1);
        SessionCommand.ReapMachine ofUnknown = (SessionCommand.ReapMachine) topics.commandsFor(unknown, SessionCommand.Type.REAP_MACHINE).get(0);
        SessionCommand.ReapMachine ofEnded = (SessionCommand.ReapMachine) topics.commandsFor(ended, SessionCommand.Type.REAP_MACHINE).get(0);
        assertThat(ofUnknown.machineId()).isEqualTo("local-0000000000b1");
        assertThat(ofUnknown.userId()).isNull();
        assertThat(ofEnded.machineId()).isEqualTo("local-0000000000b2");
        assertThat(ofEnded.userId()).isEqualTo(CleanupTopicsFixture.USER);
        clock.advance(Duration.ofSeconds(1));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> topics.writtenFor(unknown).size() == 1 && topics.writtenFor(ended).size() == 1);
    }

    @Test
    void liveSessionWhoseMachineIsGoneIsReportedLostOnce() {
        UUID lost = UUID.randomUUID();
        UUID kept = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(lost, SessionStatus.ACTIVE, 4, now, now.plus(FAR), Duration.ofHours(2), "local-0000000000c1"));
        topics.publish(row(kept, SessionStatus.ACTIVE, 4, now, now.plus(FAR), Duration.ofHours(2), "local-0000000000c2"));
        awaitTracked(lost, kept);
        machines.add(machine("local-0000000000c2", kept, now));

        clock.advance(Duration.ofSeconds(1));

        await().atMost(Duration.ofSeconds(5)).until(() -> topics.commandsFor(lost, SessionCommand.Type.MACHINE_LOST).size() == 1);
        assertThat(((SessionCommand.MachineLost) topics.commandsFor(lost, SessionCommand.Type.MACHINE_LOST).get(0)).machineId())
                .isEqualTo("local-0000000000c1");
        clock.advance(Duration.ofSeconds(1));
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> topics.writtenFor(lost).size() == 1 && topics.writtenFor(kept).isEmpty());
    }

    @Test
    void metricsCountActionsAndHowLateExpiriesWere() throws Exception {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        topics.publish(row(session, SessionStatus.ACTIVE, 3, now, now.plusSeconds(30), Duration.ofHours(1), null));
        awaitNothingFor(session);
        clock.advance(Duration.ofSeconds(31));
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.commandsFor(session, SessionCommand.Type.TERMINATE).size() == 1);

        String metrics = cleanup.scrape();

        assertThat(metrics).containsPattern("velocity_cleanup_actions_total\\{action=\"expire\"[^}]*\\} [1-9]");
        assertThat(metrics).containsPattern("velocity_cleanup_expiry_lateness_seconds_count(\\{[^}]*\\})? [1-9]");
        assertThat(metrics).contains("velocity_cleanup_expiry_lateness_seconds_bucket");
        assertThat(metrics).contains("velocity_cleanup_listing_errors_total");
    }

    /** Waits until cleanup holds the rows just published, so that moving the clock acts on them. */
    private static void awaitTracked(UUID... sessions) {
        await().atMost(Duration.ofSeconds(10)).until(() -> java.util.Arrays.stream(sessions)
                .allMatch(id -> cleanup.tracked(id) != null && cleanup.tracked(id).row() != null));
    }

    /** Nothing is written for the session while cleanup runs a few ticks and listings. */
    private static void awaitNothingFor(UUID session) {
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> topics.writtenFor(session).isEmpty());
    }

    static Machine machine(String id, UUID session, Instant createdAt) {
        return new Machine(id, session, MachineState.STARTED, null, "local", createdAt);
    }
}
