package dev.velocitypreview.core.directory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.KeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;

import static org.assertj.core.api.Assertions.assertThat;

class SessionDirectoryTopologyTest {

    private final List<UUID> changes = new ArrayList<>();
    private final List<SessionView> removals = new ArrayList<>();
    private TopologyTestDriver driver;
    private TestInputTopic<String, SessionView> changelog;
    private TestInputTopic<String, SessionCommand> commands;
    private TestInputTopic<String, byte[]> rawChangelog;

    @BeforeEach
    void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "directory-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        driver = new TopologyTestDriver(SessionDirectoryTopology.build(new SessionDirectoryTopology.Changes() {
            @Override
            public void stored(UUID id, SessionDirectoryTopology.Source source, SessionView view) {
                changes.add(id);
            }

            @Override
            public void removed(UUID id, SessionDirectoryTopology.Source source, SessionView previous) {
                removals.add(previous);
            }
        }), config);
        changelog = driver.createInputTopic(Topics.SESSIONS.name(), new StringSerializer(),
                Topics.SESSIONS.valueSerde().serializer());
        commands = driver.createInputTopic(Topics.SESSION_COMMANDS.name(), new StringSerializer(),
                Topics.SESSION_COMMANDS.valueSerde().serializer());
        rawChangelog = driver.createInputTopic(Topics.SESSIONS.name(), new StringSerializer(), new ByteArraySerializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void olderOrEqualVersionsNeverMoveASessionBackwards() {
        UUID id = UUID.randomUUID();
        changelog.pipeInput(id.toString(), row(id, SessionStatus.PROVISIONING, 1));
        changelog.pipeInput(id.toString(), row(id, SessionStatus.ACTIVE, 3));
        changelog.pipeInput(id.toString(), row(id, SessionStatus.STARTING, 2));
        changelog.pipeInput(id.toString(), row(id, SessionStatus.STARTING, 3));

        assertThat(sessions().get(id.toString()).status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(changes).hasSize(2);
    }

    @Test
    void aCreateMakesTheSessionKnownAsRequested() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), create(id, "user-1"));

        KeyValueStore<String, SessionView> requested = driver.getKeyValueStore(SessionDirectoryTopology.REQUESTED_STORE);
        assertThat(requested.get(id.toString()).status()).isEqualTo(SessionStatus.REQUESTED);
        assertThat(requested.get(id.toString()).version()).isZero();
        assertThat(changes).containsExactly(id);
    }

    @Test
    void commandsOtherThanCreateDoNotMakeASessionKnown() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), SessionCommand.resume(id, "user-1", Instant.now()));
        commands.pipeInput(id.toString(), SessionCommand.terminate(id, "user-1", TerminationReason.USER, Instant.now()));

        KeyValueStore<String, SessionView> requested = driver.getKeyValueStore(SessionDirectoryTopology.REQUESTED_STORE);
        assertThat(requested.get(id.toString())).isNull();
        assertThat(changes).isEmpty();
    }

    @Test
    void aTombstoneForgetsTheSession() {
        UUID id = UUID.randomUUID();
        changelog.pipeInput(id.toString(), row(id, SessionStatus.ACTIVE, 1));
        changelog.pipeInput(id.toString(), (SessionView) null);

        assertThat(sessions().get(id.toString())).isNull();
        assertThat(removals).singleElement().satisfies(previous -> assertThat(previous.version()).isEqualTo(1));
    }

    @Test
    void aCommandTombstoneForgetsTheCreateAndTellsWhatItWas() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), create(id, "user-7"));
        commands.pipeInput(id.toString(), (SessionCommand) null);

        KeyValueStore<String, SessionView> requested = driver.getKeyValueStore(SessionDirectoryTopology.REQUESTED_STORE);
        assertThat(requested.get(id.toString())).isNull();
        assertThat(removals).singleElement().satisfies(previous -> assertThat(previous.userId()).isEqualTo("user-7"));
    }

    @Test
    void malformedRecordsAndForeignKeysAreSkippedAndTheStreamGoesOn() {
        UUID id = UUID.randomUUID();
        rawChangelog.pipeInput(id.toString(), "{not json".getBytes());
        rawChangelog.pipeInput(id.toString(), "{\"id\":\"x\"}".getBytes());
        changelog.pipeInput("not-a-uuid", row(id, SessionStatus.ACTIVE, 1));
        changelog.pipeInput(UUID.randomUUID().toString(), row(id, SessionStatus.ACTIVE, 1));
        changelog.pipeInput(id.toString(), row(id, SessionStatus.ACTIVE, 1));

        assertThat(sessions().get(id.toString()).status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(changes).containsExactly(id);
    }

    private KeyValueStore<String, SessionView> sessions() {
        return driver.getKeyValueStore(SessionDirectoryTopology.SESSIONS_STORE);
    }

    static SessionCommand create(UUID id, String userId) {
        return SessionCommand.create(id, userId, UUID.randomUUID(), "react", Tier.FREE, Visibility.PUBLIC, Duration.ofMinutes(30),
                new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }

    static SessionView row(UUID id, SessionStatus status, long version) {
        Instant now = Instant.now();
        return new SessionView(id, "user-1", UUID.randomUUID(), status, null, null, null, null, null, Tier.FREE,
                null, version, now, now, now, null, null, null, null);
    }
}
