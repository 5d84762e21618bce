package dev.velocitypreview.bench.routing;

import java.util.ArrayList;
import java.util.HashSet;
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

import dev.velocitypreview.bench.rig.SyntheticSessions;
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
     * The seed of the live sessions' ids: the i-th id is computed from it and i ({@link #liveId}), never read from an array.
     * A request names its session in text and the router parses a fresh {@link UUID} from it, which sits in the
     * CPU's cache when the directory is asked; reading a stored id from a random place in the heap instead would add
     * a cache miss the router does not pay.
     */
    private long seed;
    private String[] liveKeys;
    private UUID[] ended;
    private UUID[] unknown;

    @Setup(Level.Trial)
    public void fill() {
        driven = new DrivenDirectory();
        directory = driven.directory();
        seed = ThreadLocalRandom.current().nextLong();
        List<UUID> liveIds = new ArrayList<>(sessions);
        for (int i = 0; i < sessions; i++) {
            liveIds.add(liveId(i));
        }
        if (new HashSet<>(liveIds).size() != sessions) {
            throw new IllegalStateException("two live ids are equal");
        }
        List<UUID> endedIds = SyntheticSessions.ids(ENDED);
        driven.live(liveIds);
        driven.ended(endedIds);
        requested = driven.store(SessionDirectoryTopology.REQUESTED_STORE);
        rows = driven.store(SessionDirectoryTopology.SESSIONS_STORE);
        liveKeys = liveIds.stream().map(UUID::toString).toArray(String[]::new);
        ended = endedIds.toArray(UUID[]::new);
        unknown = SyntheticSessions.ids(UNKNOWN).toArray(UUID[]::new);

        SessionDirectory.Stats stats = directory.stats();
        if (!directory.isReady() || stats.liveViews() != sessions || stats.storedRows() != sessions + ENDED) {
            throw new IllegalStateException("directory holds " + stats + ", expected " + sessions + " live and "
                    + ENDED + " ended sessions");
        }
        if (directory.lookup(liveIds.get(0)).map(SessionView::status).orElse(null) != SessionStatus.ACTIVE
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
        return route(directory.lookup(liveId(ThreadLocalRandom.current().nextInt(sessions))));
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

    /** A random-looking version-4 id, the same for the same i (SplitMix64's finalizer over the seed and i). */
    private UUID liveId(int i) {
        long msb = mix(seed + 2L * i);
        long lsb = mix(seed + 2L * i + 1);
        return new UUID(msb & ~0xF000L | 0x4000L, lsb & 0x3FFFFFFFFFFFFFFFL | 0x8000000000000000L);
    }

    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    private static Routing route(Optional<SessionView> view) {
        return view.map(found -> found.status().routing()).orElse(null);
    }
}
