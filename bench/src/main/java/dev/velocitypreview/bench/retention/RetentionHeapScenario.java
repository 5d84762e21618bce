package dev.velocitypreview.bench.retention;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.common.serialization.StringSerializer;
import org.apache.kafka.common.utils.Utils;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueStore;

import dev.velocitypreview.bench.rig.Pause;
import dev.velocitypreview.bench.rig.SyntheticSessions;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.directory.SessionDirectoryTopology;
import dev.velocitypreview.core.directory.SessionIndex;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;

/**
 * Scenario 8: the heap of a router's session directory (its two in-memory stores and its index) with a number of
 * live sessions, before and after many more sessions were created, ended and retained out (cleanup's command
 * tombstone and the changelog's tombstone of the deleted row). platform-core's real directory topology runs in a
 * {@code TopologyTestDriver} (no broker: a million sessions through a broker would take far longer than the
 * directory's work), fed through the real topic serdes.
 */
public final class RetentionHeapScenario {

    /**
     * @param live     live sessions in the directory throughout (CREATE and an ACTIVE row each)
     * @param retained sessions created, ended and retained out meanwhile
     * @param batch    how many of those go through at once; the first batch is measured once ended, before its
     *                 tombstones (the directory holding {@code batch} ended sessions in retention)
     */
    public record Settings(int live, int retained, int batch) {
    }

    
    public RetentionHeapResult run(Settings settings) {
        System.out.println("bench: directory heap, " + settings.live() + " live sessions, " + settings.retained()
                + " created, ended and retained out");
        long started = System.nanoTime();
        long empty = heapAfterGc();
        SessionIndex index = new SessionIndex();
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "retention-heap-bench");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "unused:9092");
        Path stateDir = stateDir();
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        try (TopologyTestDriver driver = new TopologyTestDriver(SessionDirectoryTopology.build(index), config)) {
            TestInputTopic<String, SessionCommand> commands = driver.createInputTopic(Topics.SESSION_COMMANDS.name(),
                    new StringSerializer(), Topics.SESSION_COMMANDS.valueSerde().serializer());
            TestInputTopic<String, SessionView> changelog = driver.createInputTopic(Topics.SESSIONS.name(),
                    new StringSerializer(), Topics.SESSIONS.valueSerde().serializer());
            KeyValueStore<String, SessionView> rows = driver.getKeyValueStore(SessionDirectoryTopology.SESSIONS_STORE);
            KeyValueStore<String, SessionView> creates = driver.getKeyValueStore(SessionDirectoryTopology.REQUESTED_STORE);

            for (int done = 0; done < settings.live(); done += settings.batch()) {
                List<UUID> ids = SyntheticSessions.ids(Math.min(settings.batch(), settings.live() - done));
                commands.pipeKeyValueList(SyntheticSessions.creates(ids));
                changelog.pipeKeyValueList(SyntheticSessions.rows(ids, SessionStatus.ACTIVE, 3));
            }
            RetentionHeapResult.Point live = point("live sessions only", empty, index, rows, creates);

            RetentionHeapResult.Point inRetention = null;
            for (int done = 0; done < settings.retained(); done += settings.batch()) {
                List<UUID> ids = SyntheticSessions.ids(Math.min(settings.batch(), settings.retained() - done));
                commands.pipeKeyValueList(SyntheticSessions.creates(ids));
                changelog.pipeKeyValueList(SyntheticSessions.rows(ids, SessionStatus.ACTIVE, 3));
                changelog.pipeKeyValueList(SyntheticSessions.rows(ids, SessionStatus.TERMINATED, 4));
                if (inRetention == null) {
                    inRetention = point("and " + ids.size() + " ended, in retention", empty, index, rows, creates);
                }
                // the purge: cleanup's tombstone on the command topic, then the row's on the changelog
                commands.pipeKeyValueList(tombstones(ids));
                changelog.pipeKeyValueList(tombstones(ids));
            }
            RetentionHeapResult.Point after = point("after " + settings.retained() + " retained out", empty, index, rows,
                    creates);
            return new RetentionHeapResult(settings, live, inRetention, after,
                    Duration.ofNanos(System.nanoTime() - started));
        } finally {
            try {
                Utils.delete(stateDir.toFile());
            } catch (IOException e) {
                System.out.println("bench: could not remove " + stateDir + ": " + e);
            }
        }
    }

    /**
     * The test driver checkpoints its global stores' offsets to a file, synced, after every record: millions of
     * fsyncs on a disk would be the whole run. A directory in memory ({@code /dev/shm}) where there is one.
     */
    public static Path stateDir() {
        try {
            Path shm = Path.of("/dev/shm");
            return Files.isDirectory(shm) && Files.isWritable(shm)
                    ? Files.createTempDirectory(shm, "velocity-bench-retention-")
                    : Files.createTempDirectory("velocity-bench-retention-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create the test driver's state directory", e);
        }
    }

    private static RetentionHeapResult.Point point(String state, long empty, SessionIndex index,
                                                   KeyValueStore<String, SessionView> rows,
                                                   KeyValueStore<String, SessionView> creates) {
        long heap = heapAfterGc() - empty;
        RetentionHeapResult.Point point = new RetentionHeapResult.Point(state, index.stats(),
                rows.approximateNumEntries(), creates.approximateNumEntries(), heap);
        System.out.printf("bench: %-40s %s, %d rows, %d creates, %.1f MiB%n", state, point.index(), point.rows(),
                point.creates(), point.heapBytes() / (1024.0 * 1024));
        return point;
    }

    /** Used heap once a full collection has run (a few, until the figure settles). */
    public static long heapAfterGc() {
        MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        long previous = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            // let a concurrent collector finish what it started
            Pause.of(Duration.ofMillis(100));
            long used = memory.getHeapMemoryUsage().getUsed();
            if (Math.abs(previous - used) < 256 * 1024) {
                return used;
            }
            previous = used;
        }
        return previous;
    }

    private static <V> List<KeyValue<String, V>> tombstones(List<UUID> ids) {
        List<KeyValue<String, V>> out = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            out.add(KeyValue.pair(id.toString(), null));
        }
        return out;
    }
}
