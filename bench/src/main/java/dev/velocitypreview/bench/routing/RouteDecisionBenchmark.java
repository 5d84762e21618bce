package dev.velocitypreview.bench.routing;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.directory.SessionDirectoryTopology;
import dev.velocitypreview.core.directory.SessionIndex;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionStatus.Routing;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;

/**
 * The router's per-request lookup, in-process: the same two reads and merge as
 * {@code SessionDirectory.lookup} (requested store, sessions store, newest of both) on platform-core's real
 * directory topology, then the session's {@link Routing}. The stores are filled through the topology from the
 * real topics' serdes, so every read pays the value deserialization the router pays.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteDecisionBenchmark {

    /** Sessions in the store, each with its CREATE and an ACTIVE changelog row, as after a day of use. */
    @Param("100000")
    public int sessions;

    private TopologyTestDriver driver;
    private KeyValueStore<String, SessionView> requested;
    private KeyValueStore<String, SessionView> rows;
    private String[] known;
    private String[] unknown;

    @Setup(Level.Trial)
    public void fill() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "route-decision-bench");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        driver = new TopologyTestDriver(SessionDirectoryTopology.build(new SessionIndex()), config);
        TestInputTopic<String, SessionCommand> commands = driver.createInputTopic(Topics.SESSION_COMMANDS.name(),
                new StringSerializer(), Topics.SESSION_COMMANDS.valueSerde().serializer());
        TestInputTopic<String, SessionView> changelog = driver.createInputTopic(Topics.SESSIONS.name(),
                new StringSerializer(), Topics.SESSIONS.valueSerde().serializer());

        Instant now = Instant.now();
        known = new String[sessions];
        List<KeyValue<String, SessionCommand>> creates = new ArrayList<>(sessions);
        List<KeyValue<String, SessionView>> actives = new ArrayList<>(sessions);
        for (int i = 0; i < sessions; i++) {
            UUID id = UUID.randomUUID();
            UUID project = UUID.randomUUID();
            known[i] = id.toString();
            creates.add(KeyValue.pair(known[i], SessionCommand.create(id, "user-" + (i % 1000), project, "react", Tier.FREE,
                    Visibility.PUBLIC, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10),
                    now)));
            actives.add(KeyValue.pair(known[i], new SessionView(id, "user-" + (i % 1000), project, SessionStatus.ACTIVE,
                    null, null, "machine-" + i, "http://10.0.0.1:" + (20000 + i % 10000), "local", Tier.FREE, null, 3,
                    now, now, now, now, now.plusSeconds(3600), null, null)));
        }
        commands.pipeKeyValueList(creates);
        changelog.pipeKeyValueList(actives);

        requested = driver.getKeyValueStore(SessionDirectoryTopology.REQUESTED_STORE);
        rows = driver.getKeyValueStore(SessionDirectoryTopology.SESSIONS_STORE);
        if (rows.approximateNumEntries() != sessions || requested.approximateNumEntries() != sessions) {
            throw new IllegalStateException("store holds " + rows.approximateNumEntries() + " rows and "
                    + requested.approximateNumEntries() + " creates, expected " + sessions + " of each");
        }
        unknown = new String[1024];
        for (int i = 0; i < unknown.length; i++) {
            unknown[i] = UUID.randomUUID().toString();
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        driver.close();
    }

    /** A request for a live session: the common case. */
    @Benchmark
    public Routing knownSession() {
        return route(known[ThreadLocalRandom.current().nextInt(known.length)]);
    }

    /** A request for an id the directory has never seen: both stores miss. */
    @Benchmark
    public Routing unknownSession() {
        return route(unknown[ThreadLocalRandom.current().nextInt(unknown.length)]);
    }

    private Routing route(String key) {
        SessionView view = SessionView.newest(requested.get(key), rows.get(key));
        return view == null ? null : view.status().routing();
    }
}
