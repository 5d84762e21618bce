package dev.velocitypreview.core.directory;

import java.time.Instant;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.topic.Topics;

import static org.assertj.core.api.Assertions.assertThat;

/** The directory's index on the real topology: what it keeps, and that retention's tombstones free it. */
class SessionIndexTest {

    private final SessionIndex index = new SessionIndex();
    private TopologyTestDriver driver;
    private TestInputTopic<String, SessionView> changelog;
    private TestInputTopic<String, SessionCommand> commands;

    @BeforeEach
    void start() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "index-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(SessionDirectoryTopology.build(index), config);
        changelog = driver.createInputTopic(Topics.SESSIONS.name(), new StringSerializer(),
                Topics.SESSIONS.valueSerde().serializer());
        commands = driver.createInputTopic(Topics.SESSION_COMMANDS.name(), new StringSerializer(),
                Topics.SESSION_COMMANDS.valueSerde().serializer());
    }

    @AfterEach
    void stop() {
        driver.close();
    }

    @Test
    void aLiveSessionIsKeptDecodedAndIndexedByItsUser() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), SessionDirectoryTopologyTest.create(id, "alice"));
        changelog.pipeInput(id.toString(), row(id, "alice", SessionStatus.ACTIVE, 3));

        assertThat(index.live(id).status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(index.idsOf("alice")).containsExactly(id);
        assertThat(index.stats()).isEqualTo(new SessionIndex.Stats(1, 1, 1, 1));
    }

    @Test
    void anEndedSessionKeepsNoViewAndALateCreateDoesNotBringItBack() {
        UUID id = UUID.randomUUID();
        changelog.pipeInput(id.toString(), row(id, "alice", SessionStatus.TERMINATED, 5));
        commands.pipeInput(id.toString(), SessionDirectoryTopologyTest.create(id, "alice"));

        assertThat(index.known(id).phase()).isEqualTo(SessionIndex.Phase.ENDED);
        assertThat(index.live(id)).isNull();
        assertThat(index.stats().liveViews()).isZero();
    }

    @Test
    void retainedOutSessionIsForgottenWhicheverTombstoneComesFirst() {
        UUID changelogFirst = UUID.randomUUID();
        UUID commandsFirst = UUID.randomUUID();
        for (UUID id : new UUID[] {changelogFirst, commandsFirst}) {
            commands.pipeInput(id.toString(), SessionDirectoryTopologyTest.create(id, "alice"));
            changelog.pipeInput(id.toString(), row(id, "alice", SessionStatus.ACTIVE, 3));
            changelog.pipeInput(id.toString(), row(id, "alice", SessionStatus.TERMINATED, 4));
        }
        assertThat(index.stats()).isEqualTo(new SessionIndex.Stats(2, 0, 1, 2));

        changelog.pipeInput(changelogFirst.toString(), (SessionView) null);
        commands.pipeInput(commandsFirst.toString(), (SessionCommand) null);
        assertThat(index.known(changelogFirst).phase()).isEqualTo(SessionIndex.Phase.REMOVED);
        assertThat(index.known(commandsFirst).phase()).isEqualTo(SessionIndex.Phase.ENDED);

        commands.pipeInput(changelogFirst.toString(), (SessionCommand) null);
        changelog.pipeInput(commandsFirst.toString(), (SessionView) null);

        assertThat(index.known(changelogFirst)).isNull();
        assertThat(index.known(commandsFirst)).isNull();
        assertThat(index.idsOf("alice")).isEmpty();
        assertThat(index.stats()).isEqualTo(new SessionIndex.Stats(0, 0, 0, 0));
    }

    @Test
    void aSessionWhoseRowWasDeletedStaysUnknownWhileItsCreateIsHeld() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), SessionDirectoryTopologyTest.create(id, "alice"));
        changelog.pipeInput(id.toString(), row(id, "alice", SessionStatus.TERMINATED, 4));
        changelog.pipeInput(id.toString(), (SessionView) null);
        assertThat(index.known(id).phase()).isEqualTo(SessionIndex.Phase.REMOVED);

        // a CREATE delivered again does not bring it back either
        commands.pipeInput(id.toString(), SessionDirectoryTopologyTest.create(id, "alice"));
        assertThat(index.known(id).phase()).isEqualTo(SessionIndex.Phase.REMOVED);
        assertThat(index.stats().liveViews()).isZero();

        commands.pipeInput(id.toString(), (SessionCommand) null);
        assertThat(index.known(id)).isNull();
        assertThat(index.stats()).isEqualTo(new SessionIndex.Stats(0, 0, 0, 0));
    }

    @Test
    void aUserKeepsTheEntriesOfSessionsNotRetainedOut() {
        UUID kept = UUID.randomUUID();
        UUID purged = UUID.randomUUID();
        changelog.pipeInput(kept.toString(), row(kept, "alice", SessionStatus.ACTIVE, 3));
        changelog.pipeInput(purged.toString(), row(purged, "alice", SessionStatus.TERMINATED, 4));

        changelog.pipeInput(purged.toString(), (SessionView) null);

        assertThat(index.idsOf("alice")).containsExactly(kept);
        assertThat(index.stats()).isEqualTo(new SessionIndex.Stats(1, 1, 1, 1));
    }

    @Test
    void aTombstoneForASessionNeverSeenChangesNothing() {
        UUID id = UUID.randomUUID();
        changelog.pipeInput(id.toString(), (SessionView) null);
        commands.pipeInput(id.toString(), (SessionCommand) null);

        assertThat(index.known(id)).isNull();
        assertThat(index.stats()).isEqualTo(new SessionIndex.Stats(0, 0, 0, 0));
    }

    private static SessionView row(UUID id, String userId, SessionStatus status, long version) {
        Instant now = Instant.now();
        return new SessionView(id, userId, UUID.randomUUID(), status, null, null, null, null, null, Tier.FREE,
                null, version, now, now, now, null, null, null, null);
    }
}
