package dev.velocitypreview.bench.routing;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import dev.velocitypreview.bench.retention.RetentionHeapScenario;
import dev.velocitypreview.bench.rig.SyntheticSessions;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;

/**
 * A real {@link SessionDirectory} whose topology runs in a {@link TopologyTestDriver} instead of Kafka Streams: the
 * directory's own stores, index and lookups, fed through the real topic serdes, with no broker. Single-threaded:
 * records are processed as they are piped in.
 */
final class DrivenDirectory implements AutoCloseable {


    private final SessionDirectory directory;
    /** Set while the directory is made: the directory builds its topology and hands it to its engine. */
    private DriverEngine engine;

    DrivenDirectory() {
        directory = new SessionDirectory(topology -> engine = new DriverEngine(topology));
        directory.start();
    }

    SessionDirectory directory() {
        return directory;
    }

    /** Each session's CREATE and an ACTIVE row, as for a session in use. */
    void live(List<UUID> ids) {
        engine.commands.pipeKeyValueList(SyntheticSessions.creates(ids));
        engine.changelog.pipeKeyValueList(SyntheticSessions.rows(ids, SessionStatus.ACTIVE, 3));
    }

    /** Each session's CREATE, an ACTIVE row and a TERMINATED one, as for a session ended and in retention. */
    void ended(List<UUID> ids) {
        live(ids);
        engine.changelog.pipeKeyValueList(SyntheticSessions.rows(ids, SessionStatus.TERMINATED, 4));
    }

    /** One of the directory's stores, read directly. */
    KeyValueStore<String, SessionView> store(String name) {
        return engine.driver.getKeyValueStore(name);
    }

    @Override
    public void close() {
        directory.close();
    }

    private static final class DriverEngine implements SessionDirectory.Engine {
        private final TopologyTestDriver driver;
        private final Path stateDir;
        private final TestInputTopic<String, SessionCommand> commands;
        private final TestInputTopic<String, SessionView> changelog;
        private boolean closed;

        DriverEngine(Topology topology) {
            Properties config = new Properties();
            config.put(StreamsConfig.APPLICATION_ID_CONFIG, "route-decision-bench");
            config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
            stateDir = RetentionHeapScenario.stateDir();
            config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
            driver = new TopologyTestDriver(topology, config);
            commands = driver.createInputTopic(Topics.SESSION_COMMANDS.name(), new StringSerializer(),
                    Topics.SESSION_COMMANDS.valueSerde().serializer());
            changelog = driver.createInputTopic(Topics.SESSIONS.name(), new StringSerializer(),
                    Topics.SESSIONS.valueSerde().serializer());
        }

        @Override
        public void start() {
            // the driver processes each record as it is piped in
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
            if (closed) {
                return;
            }
            closed = true;
            driver.close();
            try {
                Utils.delete(stateDir.toFile());
            } catch (IOException e) {
                System.out.println("bench: could not remove " + stateDir + ": " + e);
            }
        }
    }
}
