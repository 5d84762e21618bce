package dev.velocitypreview.core.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.session.SessionView;

/**
 * A process-local, always-complete directory of sessions fed by Kafka: the changelog for
 * everything the provisioner wrote and the command topic for sessions just requested. Reads
 * never touch a database; {@link #await} parks a caller until the session it asks about
 * changes into the wanted shape.
 *
 * <p>Thread-safe. {@link #lookup} and {@link #await} may only be called once {@link #isReady()}.
 */
public final class SessionDirectory implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionDirectory.class);

    /**
     * Told of every update that changed what the directory answers for a session (a newer row, a CREATE of a
     * session it did not know, a deleted row), on the directory's stream thread, in the order of each session's
     * updates; also while the stores are restored (then {@link #isReady()} is false). Never of a CREATE read after
     * the session's rows: that would move the session back. Must be quick and must not block; what it throws is
     * logged and dropped.
     */
    @FunctionalInterface
    public interface Listener {
        /**
         * @param before the session's newest view before the update, or null when the directory held no
         *               decoded view of it (never seen, removed, or ended)
         * @param update the accepted view, or null when a tombstone removed the session's row
         */
        void changed(UUID id, SessionView before, SessionView update);
    }

    /**
     * Where the directory's topology runs and its stores are read: a {@link KafkaStreams} instance in every service;
     * a benchmark or a test may run the same topology in a {@code TopologyTestDriver} and measure the directory
     * itself. Called from any thread.
     */
    public interface Engine extends AutoCloseable {

        /** Starts consuming; the stores load (restore) before the engine reports {@link KafkaStreams.State#RUNNING}. */
        void start();

        KafkaStreams.State state();

        /**
         * One of the topology's global stores by name, once it can be queried; throws
         * {@link InvalidStateStoreException} while it cannot.
         */
        ReadOnlyKeyValueStore<String, SessionView> store(String name);

        /** Stops the engine and releases its stores; idempotent. */
        @Override
        void close();
    }

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final SessionWaiters waiters = new SessionWaiters();
    private final Engine engine;
    /** Which sessions the stores hold, the decoded newest view of each that has not ended, and each user's ids. */
    private final SessionIndex index = new SessionIndex();
    private volatile ReadOnlyKeyValueStore<String, SessionView> sessions;
    private volatile ReadOnlyKeyValueStore<String, SessionView> requested;

    /**
     * @param streamsConfig Kafka Streams settings; needs at least {@code application.id},
     *                      {@code bootstrap.servers} and a {@code state.dir} of its own
     */
    public SessionDirectory(Properties streamsConfig) {
        this(topology -> {
            Properties config = new Properties();
            config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG,
                    LogAndContinueExceptionHandler.class);
            config.putAll(streamsConfig);
            return new StreamsEngine(new KafkaStreams(topology, config));
        });
    }

    /**
     * A directory whose topology ({@link SessionDirectoryTopology}, built here with the directory's own index and
     * waiters behind it) runs wherever {@code engine} puts it.
     */
    public SessionDirectory(Function<Topology, Engine> engine) {
        this.engine = engine.apply(SessionDirectoryTopology.build(new Changes()));
    }

    public void start() {
        engine.start();
    }

    /** Adds a listener; add it before {@link #start()} to be told of every update from the first. */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** True once both stores have caught up with their topics and the directory answers. */
    public boolean isReady() {
        return engine.state() == KafkaStreams.State.RUNNING && stores();
    }

    public KafkaStreams.State state() {
        return engine.state();
    }

    /** The newest known view of a session, or empty when no command or row for it has arrived. */
    public Optional<SessionView> lookup(UUID id) {
        if (!stores()) {
            throw new IllegalStateException("session directory is not ready (state " + engine.state() + ")");
        }
        return Optional.ofNullable(lookupUnchecked(id));
    }

    /**
     * Completes with the session's view as soon as {@code until} holds for it, which may be at
     * once; completes exceptionally with a {@link java.util.concurrent.TimeoutException} after
     * {@code max}. The waiter is registered before the store is read so no update is missed.
     */
    public CompletableFuture<SessionView> await(UUID id, Predicate<SessionView> until, Duration max) {
        SessionWaiters.Waiter waiter = waiters.register(id, until);
        lookup(id).ifPresent(waiter::offer);
        return waiter.future().orTimeout(max.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * The known sessions of {@code userId} matching {@code filter}: a look at that user's sessions
     * only (an index kept as updates arrive), so a listing or a quota check costs the same with a
     * thousand sessions in the store as with a million.
     */
    public List<SessionView> findOf(String userId, Predicate<SessionView> filter) {
        if (!stores()) {
            throw new IllegalStateException("session directory is not ready (state " + engine.state() + ")");
        }
        Set<UUID> ids = index.idsOf(userId);
        List<SessionView> out = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            SessionView view = lookupUnchecked(id);
            // the index may be a step ahead of or behind this read; the view itself names its user
            if (view != null && userId.equals(view.userId()) && filter.test(view)) {
                out.add(view);
            }
        }
        return out;
    }

    /** Every known session matching {@code filter}; a full scan of the store, for operators' listings. */
    public List<SessionView> find(Predicate<SessionView> filter) {
        if (!stores()) {
            throw new IllegalStateException("session directory is not ready (state " + engine.state() + ")");
        }
        List<SessionView> out = new ArrayList<>();
        try (KeyValueIterator<String, SessionView> rows = sessions.all()) {
            rows.forEachRemaining(row -> {
                if (filter.test(row.value)) {
                    out.add(row.value);
                }
            });
        }
        try (KeyValueIterator<String, SessionView> rows = requested.all()) {
            while (rows.hasNext()) {
                KeyValue<String, SessionView> row = rows.next();
                if (sessions.get(row.key) == null && lookupUnchecked(row.value.id()) != null && filter.test(row.value)) {
                    out.add(row.value);
                }
            }
        }
        return out;
    }

    /**
     * What the directory keeps in memory beside its stores, and what the stores hold; counted by a scan (for
     * operators and tests). Bounded by the sessions the topics still carry: live ones and ended ones in retention.
     */
    public Stats stats() {
        SessionIndex.Stats indexed = index.stats();
        boolean ready = stores();
        return new Stats(indexed.sessions(), indexed.liveViews(), indexed.users(), indexed.userEntries(),
                ready ? sessions.approximateNumEntries() : -1, ready ? requested.approximateNumEntries() : -1);
    }

    /**
     * @param sessions     sessions the directory knows of (live, ended in retention, or deleted with their CREATE
     *                     still held)
     * @param liveViews    of those, the ones kept decoded (not ended)
     * @param users        users in the per-user index
     * @param userEntries  session ids in the per-user index
     * @param storedRows   rows in the sessions store; -1 while the stores are loading
     * @param storedCreates CREATEs in the requested store; -1 while the stores are loading
     */
    public record Stats(int sessions, int liveViews, int users, int userEntries, long storedRows, long storedCreates) {
    }

    /** How many requests are parked right now. */
    public int waiting() {
        return waiters.size();
    }

    @Override
    public void close() {
        engine.close();
    }

    /**
     * Runs on the global stream thread after each accepted update, also while the stores are being restored:
     * keeps the index, then wakes whoever waits for the session. Nothing here may throw, or Kafka Streams would
     * count the record as unreadable.
     */
    private final class Changes implements SessionDirectoryTopology.Changes {
        @Override
        public void stored(UUID id, SessionDirectoryTopology.Source source, SessionView view) {
            SessionView before = liveView(id);
            // The two topics are read in no order to each other: a CREATE read after the session's first row (or
            // after its row was deleted) changes nothing a reader sees. Told, it would read as the session going
            // back to REQUESTED, and a listener would act on it (the router cut off forwards in flight).
            boolean news = source == SessionDirectoryTopology.Source.CHANGELOG || index.known(id) == null;
            index.stored(id, source, view);
            if (news) {
                tell(id, before, view);
            }
            publish(id);
        }

        @Override
        public void removed(UUID id, SessionDirectoryTopology.Source source, SessionView previous) {
            // a forgotten session wakes nobody: its waiters run out and are answered "unknown"
            SessionView before = liveView(id);
            index.removed(id, source, previous);
            if (source == SessionDirectoryTopology.Source.CHANGELOG) {
                tell(id, before, null);
            }
        }

        private SessionView liveView(UUID id) {
            return index.live(id);
        }

        private void tell(UUID id, SessionView before, SessionView update) {
            for (Listener listener : listeners) {
                try {
                    listener.changed(id, before, update);
                } catch (RuntimeException e) {
                    LOG.atWarn().setCause(e).addKeyValue("session", id).log("session directory listener failed");
                }
            }
        }

        private void publish(UUID id) {
            if (!stores()) {
                return;
            }
            try {
                waiters.publish(id, () -> lookupUnchecked(id));
            } catch (InvalidStateStoreException e) {
                // a store closing under us: the waiter times out or is answered after the next update
            }
        }
    }

    private SessionView lookupUnchecked(UUID id) {
        if (!stores()) {
            return null;
        }
        // the route decision of real traffic: a live session's decoded view, one map read
        SessionView live = index.live(id);
        if (live != null) {
            return live;
        }
        SessionIndex.Known known = index.known(id);
        if (known == null || known.phase() == SessionIndex.Phase.REMOVED) {
            return null;
        }
        // ended (or live, with the view being replaced right now): the stores hold its newest view
        String key = id.toString();
        return SessionView.newest(requested.get(key), sessions.get(key));
    }

    private boolean stores() {
        if (sessions != null && requested != null) {
            return true;
        }
        // global stores are complete only once the instance runs; before that they are restoring
        if (engine.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            ReadOnlyKeyValueStore<String, SessionView> sessionStore = engine.store(SessionDirectoryTopology.SESSIONS_STORE);
            ReadOnlyKeyValueStore<String, SessionView> requestedStore = engine.store(SessionDirectoryTopology.REQUESTED_STORE);
            sessions = sessionStore;
            requested = requestedStore;
            return true;
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }

    /** The engine of every service: the topology in a Kafka Streams instance, its stores queried through it. */
    private static final class StreamsEngine implements Engine {
        private final KafkaStreams streams;

        StreamsEngine(KafkaStreams streams) {
            this.streams = streams;
        }

        @Override
        public void start() {
            streams.start();
        }

        @Override
        public KafkaStreams.State state() {
            return streams.state();
        }

        @Override
        public ReadOnlyKeyValueStore<String, SessionView> store(String name) {
            return streams.store(StoreQueryParameters.fromNameAndType(name, QueryableStoreTypes.keyValueStore()));
        }

        @Override
        public void close() {
            streams.close(Duration.ofSeconds(10));
        }
    }
}
