package dev.velocitypreview.core.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
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
     * Told of every update the directory accepted, on the directory's stream thread, in the order of each
     * session's updates; also while the stores are restored (then {@link #isReady()} is false). Must be quick
     * and must not block; what it throws is logged and dropped.
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

    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final SessionWaiters waiters = new SessionWaiters();
    private final KafkaStreams streams;
    /**
     * The newest view of every session that has not ended, decoded once as its update arrives: the
     * stores hold JSON, and decoding it was the largest cost of a routing decision. An ended session
     * keeps only an empty marker (they are many, and rarely asked for: those are read from the
     * stores), so that a CREATE read after the session's last row cannot bring it back.
     */
    private final Map<UUID, Optional<SessionView>> live = new ConcurrentHashMap<>();
    /** Session ids by user, filled from every accepted update; ids are added, never moved. */
    private final Map<String, Set<UUID>> byUser = new ConcurrentHashMap<>();
    private volatile ReadOnlyKeyValueStore<String, SessionView> sessions;
    private volatile ReadOnlyKeyValueStore<String, SessionView> requested;

    /**
     * @param streamsConfig Kafka Streams settings; needs at least {@code application.id},
     *                      {@code bootstrap.servers} and a {@code state.dir} of its own
     */
    public SessionDirectory(Properties streamsConfig) {
        Properties config = new Properties();
        config.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class);
        config.putAll(streamsConfig);
        this.streams = new KafkaStreams(SessionDirectoryTopology.build(this::changed), config);
    }

    public void start() {
        streams.start();
    }

    /** Adds a listener; add it before {@link #start()} to be told of every update from the first. */
    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** True once both stores have caught up with their topics and the directory answers. */
    public boolean isReady() {
        return streams.state() == KafkaStreams.State.RUNNING && stores();
    }

    public KafkaStreams.State state() {
        return streams.state();
    }

    /** The newest known view of a session, or empty when no command or row for it has arrived. */
    public Optional<SessionView> lookup(UUID id) {
        if (!stores()) {
            throw new IllegalStateException("session directory is not ready (state " + streams.state() + ")");
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
            throw new IllegalStateException("session directory is not ready (state " + streams.state() + ")");
        }
        Set<UUID> ids = byUser.getOrDefault(userId, Set.of());
        List<SessionView> out = new ArrayList<>(ids.size());
        for (UUID id : ids) {
            SessionView view = lookupUnchecked(id);
            // a removed row leaves its id in the index; the CREATE of a user names its user for good
            if (view != null && userId.equals(view.userId()) && filter.test(view)) {
                out.add(view);
            }
        }
        return out;
    }

    /** Every known session matching {@code filter}; a full scan of the store, for operators' listings. */
    public List<SessionView> find(Predicate<SessionView> filter) {
        if (!stores()) {
            throw new IllegalStateException("session directory is not ready (state " + streams.state() + ")");
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
                if (sessions.get(row.key) == null && filter.test(row.value)) {
                    out.add(row.value);
                }
            }
        }
        return out;
    }

    /** How many requests are parked right now. */
    public int waiting() {
        return waiters.size();
    }

    @Override
    public void close() {
        streams.close(Duration.ofSeconds(10));
    }

    /**
     * Runs on the global stream thread after each accepted update, also while the stores are being
     * restored; nothing here may throw, or Kafka Streams would count the record as unreadable.
     */
    private void changed(UUID id, SessionView view) {
        Optional<SessionView> held = live.get(id);
        SessionView before = held == null ? null : held.orElse(null);
        if (view != null && view.userId() != null) {
            byUser.computeIfAbsent(view.userId(), user -> ConcurrentHashMap.newKeySet()).add(id);
        }
        if (view == null) {
            // a removed row: what is left (a CREATE at most) is read from the stores
            live.remove(id);
        } else {
            live.compute(id, (key, known) -> {
                if (known != null && known.isEmpty()) {
                    // ended is for good: the lifecycle has no way back from a terminal status
                    return known;
                }
                SessionView newest = SessionView.newest(known == null ? null : known.get(), view);
                return newest.status().isTerminal() ? Optional.empty() : Optional.of(newest);
            });
        }
        for (Listener listener : listeners) {
            try {
                listener.changed(id, before, view);
            } catch (RuntimeException e) {
                LOG.atWarn().setCause(e).addKeyValue("session", id).log("session directory listener failed");
            }
        }
        if (!stores()) {
            return;
        }
        try {
            waiters.publish(id, () -> lookupUnchecked(id));
        } catch (InvalidStateStoreException e) {
            // a store closing under us: the waiter times out or is answered after the next update
        }
    }

    private SessionView lookupUnchecked(UUID id) {
        if (!stores()) {
            return null;
        }
        Optional<SessionView> known = live.get(id);
        if (known != null && known.isPresent()) {
            return known.get();
        }
        String key = id.toString();
        return SessionView.newest(requested.get(key), sessions.get(key));
    }

    private boolean stores() {
        if (sessions != null && requested != null) {
            return true;
        }
        // global stores are complete only once the instance runs; before that they are restoring
        if (streams.state() != KafkaStreams.State.RUNNING) {
            return false;
        }
        try {
            ReadOnlyKeyValueStore<String, SessionView> sessionStore = streams.store(StoreQueryParameters.fromNameAndType(
                    SessionDirectoryTopology.SESSIONS_STORE, QueryableStoreTypes.keyValueStore()));
            ReadOnlyKeyValueStore<String, SessionView> requestedStore = streams.store(StoreQueryParameters.fromNameAndType(
                    SessionDirectoryTopology.REQUESTED_STORE, QueryableStoreTypes.keyValueStore()));
            sessions = sessionStore;
            requested = requestedStore;
            return true;
        } catch (InvalidStateStoreException e) {
            return false;
        }
    }
}
