package dev.velocitypreview.core.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;

import static dev.velocitypreview.core.directory.SessionDirectoryTopologyTest.create;
import static dev.velocitypreview.core.directory.SessionDirectoryTopologyTest.row;
import static org.assertj.core.api.Assertions.assertThat;

/** The directory's answers, on its real topology run in a {@link TopologyTestDriver} (no broker). */
class SessionDirectoryTest {

    private SessionDirectory directory;
    private TestInputTopic<String, SessionView> changelog;
    private TestInputTopic<String, SessionCommand> commands;

    @BeforeEach
    void start() {
        directory = new SessionDirectory(DriverEngine::new);
        directory.start();
    }

    @AfterEach
    void stop() {
        directory.close();
    }

    @Test
    void aLiveSessionIsAnsweredWithItsNewestRow() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), create(id, "user-1"));
        assertThat(directory.lookup(id)).get().extracting(SessionView::status).isEqualTo(SessionStatus.REQUESTED);

        SessionView active = row(id, SessionStatus.ACTIVE, 3);
        changelog.pipeInput(id.toString(), active);
        changelog.pipeInput(id.toString(), row(id, SessionStatus.STARTING, 2));

        assertThat(directory.lookup(id)).contains(active);
    }

    @Test
    void anEndedSessionIsStillAnsweredWhileItsRowIsRetained() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), create(id, "user-1"));
        changelog.pipeInput(id.toString(), row(id, SessionStatus.ACTIVE, 3));
        SessionView ended = row(id, SessionStatus.TERMINATED, 4);
        changelog.pipeInput(id.toString(), ended);

        assertThat(directory.lookup(id)).contains(ended);
        assertThat(directory.stats().liveViews()).isZero();
    }

    @Test
    void anIdNeverSeenOrWhoseRowWasDeletedIsUnknown() {
        UUID deleted = UUID.randomUUID();
        commands.pipeInput(deleted.toString(), create(deleted, "user-1"));
        changelog.pipeInput(deleted.toString(), row(deleted, SessionStatus.TERMINATED, 4));
        changelog.pipeInput(deleted.toString(), (SessionView) null);

        assertThat(directory.lookup(UUID.randomUUID())).isEmpty();
        assertThat(directory.lookup(deleted)).isEmpty();
    }

    @Test
    void aWaiterIsAnsweredByTheUpdateItWaitsFor() {
        UUID id = UUID.randomUUID();
        commands.pipeInput(id.toString(), create(id, "user-1"));
        CompletableFuture<SessionView> active = directory.await(id, view -> view.status() == SessionStatus.ACTIVE,
                Duration.ofMinutes(1));
        changelog.pipeInput(id.toString(), row(id, SessionStatus.STARTING, 2));
        assertThat(active).isNotDone();

        changelog.pipeInput(id.toString(), row(id, SessionStatus.ACTIVE, 3));

        assertThat(active).isCompletedWithValueMatching(view -> view.version() == 3);
        assertThat(directory.waiting()).isZero();
    }

    @Test
    void listenersAreToldHowTheAnswerChangesAndNotOfACreateReadAfterTheSessionsRows() {
        List<String> told = new ArrayList<>();
        directory.addListener((id, before, update) -> told.add(status(before) + " -> " + status(update)));
        UUID first = UUID.randomUUID();
        commands.pipeInput(first.toString(), create(first, "user-1"));
        changelog.pipeInput(first.toString(), row(first, SessionStatus.ACTIVE, 3));
        // the two topics are read in no order to each other: this session's CREATE comes after its row
        UUID late = UUID.randomUUID();
        changelog.pipeInput(late.toString(), row(late, SessionStatus.ACTIVE, 3));
        commands.pipeInput(late.toString(), create(late, "user-1"));

        assertThat(directory.lookup(late)).get().extracting(SessionView::status).isEqualTo(SessionStatus.ACTIVE);
        assertThat(told).containsExactly("none -> REQUESTED", "REQUESTED -> ACTIVE", "none -> ACTIVE");
    }

    private static String status(SessionView view) {
        return view == null ? "none" : view.status().name();
    }

    /** The topology in a test driver, which processes every piped record at once and is always running. */
    private final class DriverEngine implements SessionDirectory.Engine {
        private final TopologyTestDriver driver;

        DriverEngine(Topology topology) {
            Properties config = new Properties();
            config.put(StreamsConfig.APPLICATION_ID_CONFIG, "session-directory-test");
            config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            driver = new TopologyTestDriver(topology, config);
            changelog = driver.createInputTopic(Topics.SESSIONS.name(), new StringSerializer(),
                    Topics.SESSIONS.valueSerde().serializer());
            commands = driver.createInputTopic(Topics.SESSION_COMMANDS.name(), new StringSerializer(),
                    Topics.SESSION_COMMANDS.valueSerde().serializer());
        }

        @Override
        public void start() {
        }

        @Override
        public KafkaStreams.State state() {
            return KafkaStreams.State.RUNNING;
        }

        @Override
        public ReadOnlyKeyValueStore<String, SessionView> store(String name) {
            return driver.getKeyValueStore(name);
        }

        @Override
        public void close() {
            driver.close();
        }
    }
}
