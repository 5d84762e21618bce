package dev.velocitypreview.cleanup;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestClock;

import static dev.velocitypreview.cleanup.CleanupTopicsFixture.row;
import static org.assertj.core.api.Assertions.assertThat;

/** The topology on its own: what falls due when, read through the commands it writes. */
class CleanupTopologyTest {

    private static final Duration TICK = Duration.ofSeconds(1);

    private final TestClock clock = TestClock.stoppedAt(Instant.parse("2026-06-01T10:00:00Z"));
    private final ListedMachines machines = new ListedMachines();
    private TopologyTestDriver driver;
    private TestInputTopic<String, SessionView> sessions;
    private TestInputTopic<String, SessionActivity> activity;
    private TestOutputTopic<String, SessionCommand> commands;

    @BeforeEach
    void start() {
        CleanupMetrics metrics = new CleanupMetrics(new SimpleMeterRegistry());
        CleanupProcessor.Settings settings = new CleanupProcessor.Settings(TICK, Duration.ofHours(1), Duration.ofDays(7),
                Duration.ofMinutes(2), Duration.ofSeconds(30), clock, new MachineListings(machines, clock, metrics),
                metrics, () -> 1);
        Topology topology = CleanupTopology.addTo(new Topology(), settings);
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "cleanup-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(topology, config, Instant.parse("2026-06-01T10:00:00Z"));
        sessions = driver.createInputTopic(Topics.SESSIONS.name(), Topics.SESSIONS.keySerde().serializer(),
                Topics.SESSIONS.valueSerde().serializer());
        activity = driver.createInputTopic(Topics.SESSION_ACTIVITY.name(), Topics.SESSION_ACTIVITY.keySerde().serializer(),
                Topics.SESSION_ACTIVITY.valueSerde().serializer());
        commands = driver.createOutputTopic(Topics.SESSION_COMMANDS.name(), Topics.SESSION_COMMANDS.keySerde().deserializer(),
                Topics.SESSION_COMMANDS.valueSerde().deserializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void expiredSessionIsTerminatedOnceAtItsDeadline() {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        sessions.pipeInput(session.toString(), row(session, SessionStatus.ACTIVE, 2, now, now.plusSeconds(60),
                Duration.ofHours(1), null));

        tick(Duration.ofSeconds(59));
        assertThat(commands.isEmpty()).isTrue();
        tick(Duration.ofSeconds(1));
        List<TestRecord<String, SessionCommand>> written = commands.readRecordsToList();
        tick(Duration.ofSeconds(10));

        assertThat(written).hasSize(1);
        assertThat(((SessionCommand.Terminate) written.get(0).value()).reason()).isEqualTo(TerminationReason.EXPIRED);
        assertThat(commands.isEmpty()).isTrue();
    }

    @Test
    void activityPostponesTheSuspend() {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        sessions.pipeInput(session.toString(), row(session, SessionStatus.ACTIVE, 2, now, now.plus(Duration.ofDays(1)),
                Duration.ofMinutes(5), null));
        tick(Duration.ofMinutes(4));
        activity.pipeInput(session.toString(), new SessionActivity(session, clock.instant()));

        tick(Duration.ofMinutes(4));
        assertThat(commands.isEmpty()).isTrue();
        tick(Duration.ofMinutes(1));

        assertThat(commands.readValuesToList()).extracting(SessionCommand::type).containsExactly(SessionCommand.Type.SUSPEND);
    }

    @Test
    void aSuspendThatWasNotCarriedOutIsAskedAgainOneIdleTimeoutLaterAndNotBefore() {
        UUID session = UUID.randomUUID();
        Instant now = clock.instant();
        sessions.pipeInput(session.toString(), row(session, SessionStatus.ACTIVE, 2, now, now.plus(Duration.ofDays(1)),
                Duration.ofMinutes(5), null));
        tick(Duration.ofMinutes(5));
        assertThat(commands.readValuesToList()).extracting(SessionCommand::type).containsExactly(SessionCommand.Type.SUSPEND);

        // the provisioner could not suspend the machine: the row stays ACTIVE and nobody uses it
        tick(Duration.ofMinutes(4));
        assertThat(commands.isEmpty()).isTrue();
        tick(Duration.ofMinutes(1));
        assertThat(commands.readValuesToList()).extracting(SessionCommand::type).containsExactly(SessionCommand.Type.SUSPEND);

        // once it is SUSPENDED nothing more is asked
        sessions.pipeInput(session.toString(), row(session, SessionStatus.SUSPENDED, 3, clock.instant(),
                now.plus(Duration.ofDays(1)), Duration.ofMinutes(5), null));
        tick(Duration.ofMinutes(10));
        assertThat(commands.isEmpty()).isTrue();
    }

    private void tick(Duration by) {
        clock.advance(by);
        driver.advanceWallClockTime(TICK);
    }
}
