package dev.velocitypreview.bench.routing;

import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

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

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.directory.SessionDirectoryTopology;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionStatus.Routing;
import dev.velocitypreview.core.session.SessionView;

/**
 * The router's per-request route decision, in-process, on platform-core's real {@link SessionDirectory}: its topology
 * runs in a {@code TopologyTestDriver} fed through the real topic serdes, and every benchmark but one calls
 * {@link SessionDirectory#lookup}, then takes the session's {@link Routing}, as the router does. The one that does
 * not, {@link #liveSessionFromStores}, reads a live session's two stores and merges them, the way every lookup
 * worked before the directory kept decoded views: the comparison measured in the same run.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class RouteDecisionBenchmark {

    /** Live sessions in the directory, each with its CREATE and an ACTIVE changelog row, as after a day of use. */
    @Param("100000")
    public int sessions;

    /** Ended sessions in retention beside them (a CREATE, an ACTIVE and a TERMINATED row each). */
    static final int ENDED = 1_024;
    static final int UNKNOWN = 1_024;

    private DrivenDirectory driven;
    private SessionDirectory directory;
    private KeyValueStore<String, SessionView> requested;
    private KeyValueStore<String, SessionView> rows;
    /**
     * The live ids as bits, each pair in one cache line: a request names its session in text and the router parses
     * a fresh {@link UUID} from it, which sits in the CPU's cache when the directory is asked, so the benchmark makes
     * a fresh one too instead of reading a stored object from a random place in the heap.
     */
    private long[] liveBits;
    private String[] liveKeys;
    private UUID[] ended;
    private UUID[] unknown;

    @Setup(Level.Trial)
    public void fill() {
        driven = new DrivenDirectory();
        directory = driven.directory();
        List<UUID> liveIds = DrivenDirectory.ids(sessions);
        List<UUID> endedIds = DrivenDirectory.ids(ENDED);
        driven.live(liveIds);
        driven.ended(endedIds);
        requested = driven.store(SessionDirectoryTopology.REQUESTED_STORE);
        rows = driven.store(SessionDirectoryTopology.SESSIONS_STORE);
        UUID[] live = liveIds.toArray(UUID[]::new);
        liveBits = new long[2 * live.length];
        for (int i = 0; i < live.length; i++) {
            liveBits[2 * i] = live[i].getMostSignificantBits();
            liveBits[2 * i + 1] = live[i].getLeastSignificantBits();
        }
        liveKeys = liveIds.stream().map(UUID::toString).toArray(String[]::new);
        ended = endedIds.toArray(UUID[]::new);
        unknown = DrivenDirectory.ids(UNKNOWN).toArray(UUID[]::new);

        SessionDirectory.Stats stats = directory.stats();
        if (!directory.isReady() || stats.liveViews() != sessions || stats.storedRows() != sessions + ENDED) {
            throw new IllegalStateException("directory holds " + stats + ", expected " + sessions + " live and "
                    + ENDED + " ended sessions");
        }
        if (directory.lookup(live[0]).map(SessionView::status).orElse(null) != SessionStatus.ACTIVE
                || directory.lookup(ended[0]).map(SessionView::status).orElse(null) != SessionStatus.TERMINATED
                || directory.lookup(unknown[0]).isPresent()) {
            throw new IllegalStateException("the directory does not answer as the benchmark expects");
        }
    }

    @TearDown(Level.Trial)
    public void close() {
        driven.close();
    }

    /** A request for a live session, the path real traffic takes: the directory's decoded newest view. */
    @Benchmark
    public Routing liveSession() {
        int i = 2 * ThreadLocalRandom.current().nextInt(liveKeys.length);
        return route(directory.lookup(new UUID(liveBits[i], liveBits[i + 1])));
    }

    /** A request for an id the directory has never seen. */
    @Benchmark
    public Routing unknownSession() {
        return route(directory.lookup(unknown[ThreadLocalRandom.current().nextInt(unknown.length)]));
    }

    /** A request for an ended session in retention: the directory reads and decodes both of its stores' JSON. */
    @Benchmark
    public Routing endedSession() {
        return route(directory.lookup(ended[ThreadLocalRandom.current().nextInt(ended.length)]));
    }

    /** The old path for a live session: its two store reads, each decoding JSON, and the newer of the two. */
    @Benchmark
    public Routing liveSessionFromStores() {
        String key = liveKeys[ThreadLocalRandom.current().nextInt(liveKeys.length)];
        SessionView view = SessionView.newest(requested.get(key), rows.get(key));
        return view == null ? null : view.status().routing();
    }

    private static Routing route(Optional<SessionView> view) {
        return view.map(found -> found.status().routing()).orElse(null);
    }
}
