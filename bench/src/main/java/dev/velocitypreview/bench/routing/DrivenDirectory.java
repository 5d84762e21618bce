package dev.velocitypreview.bench.routing;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;

import dev.velocitypreview.bench.retention.RetentionHeapScenario;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.directory.SessionDirectoryTopology;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;

/**
 * A real {@link SessionDirectory} whose topology runs in a {@link TopologyTestDriver} instead of Kafka Streams: the
 * directory's own stores, index and lookups, fed through the real topic serdes, with no broker. Single-threaded:
 * records are processed as they are piped in.
 */
final class DrivenDirectory implements AutoCloseable {

    static final int USERS = 1_000;

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
        engine.commands.pipeKeyValueList(creates(ids));
        engine.changelog.pipeKeyValueList(rows(ids, SessionStatus.ACTIVE, 3));
    }

    /** Each session's CREATE, an ACTIVE row and a TERMINATED one, as for a session ended and in retention. */
    void ended(List<UUID> ids) {
        live(ids);
        engine.changelog.pipeKeyValueList(rows(ids, SessionStatus.TERMINATED, 4));
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

    static List<UUID> ids(int count) {
        List<UUID> ids = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            ids.add(UUID.randomUUID());
        }
        return ids;
    }

    static List<KeyValue<String, SessionCommand>> creates(List<UUID> ids) {
        Instant now = Instant.now();
        List<KeyValue<String, SessionCommand>> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            out.add(KeyValue.pair(id.toString(), SessionCommand.create(id, "user-" + (i % USERS), project(id), "react",
                    Tier.FREE, Visibility.PUBLIC, Duration.ofMinutes(30), new MachineSize("shared", 1, 256),
                    Duration.ofMinutes(10), now)));
        }
        return out;
    }

    static List<KeyValue<String, SessionView>> rows(List<UUID> ids, SessionStatus status, long version) {
        Instant now = Instant.now();
        List<KeyValue<String, SessionView>> out = new ArrayList<>(ids.size());
        for (int i = 0; i < ids.size(); i++) {
            UUID id = ids.get(i);
            boolean ended = status.isTerminal();
            out.add(KeyValue.pair(id.toString(), new SessionView(id, "user-" + (i % USERS), project(id), status,
                    ended ? "expired" : null, null, ended ? null : "machine-" + i,
                    ended ? null : "http://10.0.0.1:" + (20000 + i % 10000), "local", Tier.FREE, null, version, now,
                    now, now, now, now.plusSeconds(1800), ended ? now : null, Duration.ofMinutes(10))));
        }
        return out;
    }

    private static UUID project(UUID session) {
        return new UUID(session.getLeastSignificantBits(), session.getMostSignificantBits());
    }
}
