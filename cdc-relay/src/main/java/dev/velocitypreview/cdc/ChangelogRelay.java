package dev.velocitypreview.cdc;

import java.sql.SQLException;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.spi.LoggingEventBuilder;

import dev.velocitypreview.core.topic.Topics;

/**
 * Streams {@code preview_sessions} from PostgreSQL's replication slot to {@link Topics#SESSIONS}, and
 * {@code project_files} as notices to {@link Topics#PROJECT_FILES}, with Debezium's embedded engine (DESIGN.md,
 * invariant 5):
 * <ul>
 *   <li>exactly one relay per database streams: it first takes a PostgreSQL advisory lock on a
 *       connection kept open while it streams; others stand by and retry. If that connection breaks
 *       the engine is stopped, because another relay may now hold the lock;</li>
 *   <li>a change is marked processed only after Kafka acknowledged it, and offsets live in the
 *       compacted {@link Topics#CDC_OFFSETS} topic, so a successor resumes where this relay stopped,
 *       replaying at most about one offset flush interval (views fence by version);</li>
 *   <li>an engine that stops with an error is restarted after a bounded exponential backoff, while the
 *       lock is still held.</li>
 * </ul>
 *
 * <p>Lifecycle: construct, {@link #start()} once (returns at once; the work happens on a thread of
 * the relay's own), {@link #close()} once. Thread-safe; the getters may be read from any thread.
 */
public final class ChangelogRelay implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(ChangelogRelay.class);
    private static final Duration ADMIN_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(90);

    private final ChangelogRelaySettings settings;
    private final RelayCounters counters = new RelayCounters();
    private final CompletableFuture<Void> closing = new CompletableFuture<>();
    private volatile EngineRun current;
    private volatile boolean holdingLock;
    private Thread supervisor;

    public ChangelogRelay(ChangelogRelaySettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings == null");
    }

    /**
     * Starts competing for the lock and, once held, streaming. Returns at once.
     *
     * @throws IllegalStateException if the relay was already started or closed
     */
    public synchronized void start() {
        if (closing.isDone()) {
            throw new IllegalStateException("relay for slot " + settings.slotName() + " is closed");
        }
        if (supervisor != null) {
            throw new IllegalStateException("relay for slot " + settings.slotName() + " is already started");
        }
        LOG.atInfo().addKeyValue("slot", settings.slotName()).addKeyValue("publication", settings.publicationName())
                .addKeyValue("tables", settings.tables()).log("relay starting");
        supervisor = new Thread(this::supervise, "cdc-relay-" + settings.slotName());
        supervisor.start();
    }

    /** True while this relay holds the lock and its engine polls the slot. */
    public boolean isStreaming() {
        EngineRun run = current;
        return run != null && run.isPolling();
    }

    /** True while this relay holds the advisory lock (streaming, starting or restarting its engine). */
    public boolean isHoldingLock() {
        return holdingLock;
    }

    /** Changes (session rows and tombstones, project file notices) Kafka acknowledged since this relay was created. */
    public long recordsRelayed() {
        return counters.recordsRelayed();
    }

    /** Batches with at least one relayed change that Kafka acknowledged. */
    public long batchesRelayed() {
        return counters.batchesRelayed();
    }

    /** Commit-to-acknowledged time of the newest relayed change (now − source ts_ms), or -1 before the first. */
    public long lastRelayLagMillis() {
        return counters.lastLagMillis();
    }

    /** Times the engine stopped with an error (or on its own) and was restarted. */
    public long restarts() {
        return counters.engineRestarts();
    }

    /**
     * Stops the engine (flushing the offsets of what Kafka acknowledged), releases the lock and
     * waits for the relay's threads to end. Idempotent.
     */
    @Override
    public void close() {
        Thread thread;
        synchronized (this) {
            closing.complete(null);
            thread = supervisor;
        }
        if (thread == null || thread == Thread.currentThread()) {
            return;
        }
        try {
            thread.join(CLOSE_TIMEOUT.toMillis());
            if (thread.isAlive()) {
                LOG.atWarn().addKeyValue("slot", settings.slotName()).addKeyValue("timeout", CLOSE_TIMEOUT)
                        .log("relay did not stop in time, interrupting it");
                thread.interrupt();
                thread.join(CLOSE_TIMEOUT.toMillis());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            thread.interrupt();
        }
    }

    private void supervise() {
        try {
            while (!closing.isDone()) {
                try {
                    AdvisoryLock lock = awaitLock();
                    if (lock == null) {
                        break;
                    }
                    holdingLock = true;
                    try (lock) {
                        LOG.atInfo().addKeyValue("slot", settings.slotName()).addKeyValue("lockKey", settings.lockKey())
                                .log("advisory lock taken");
                        warnAboutDatabaseSettings(lock);
                        streamWhileHolding(lock);
                    } finally {
                        holdingLock = false;
                    }
                    // Lost the lock: let a standby that already waits take over rather than race it.
                    closedWithin(settings.standbyRetry());
                } catch (RuntimeException e) {
                    // Whatever went wrong, a relay that gives up silently would stop the changelog.
                    LOG.atError().setCause(e).addKeyValue("slot", settings.slotName())
                            .addKeyValue("retry", settings.standbyRetry()).log("relay failed, starting over");
                    closedWithin(settings.standbyRetry());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            LOG.atInfo().addKeyValue("slot", settings.slotName()).log("relay stopped");
        }
    }

    private void warnAboutDatabaseSettings(AdvisoryLock lock) {
        // The WAL sender ships only flushed WAL: with synchronous_commit off every change waits for the WAL
        // writer (~190 ms measured). Nothing is lost, so a warning is enough.
        String synchronousCommit = lock.setting("synchronous_commit");
        if ("off".equals(synchronousCommit)) {
            LOG.atWarn().addKeyValue("slot", settings.slotName()).addKeyValue("synchronous_commit", synchronousCommit)
                    .log("database runs with synchronous_commit off, changes reach Kafka up to ~200 ms later");
        }
        Map<String, AdvisoryLock.ReplicaIdentity> identities = lock.replicaIdentities(settings.tables());
        // Without REPLICA IDENTITY FULL an update that leaves a large (TOASTed) value unchanged carries
        // Debezium's placeholder __debezium_unavailable_value instead of the value, e.g. a long error text.
        AdvisoryLock.ReplicaIdentity sessions = identities.get(ChangelogRelaySettings.SESSIONS_TABLE);
        if (sessions != null && sessions != AdvisoryLock.ReplicaIdentity.FULL) {
            LOG.atWarn().addKeyValue("slot", settings.slotName()).addKeyValue("table", ChangelogRelaySettings.SESSIONS_TABLE)
                    .addKeyValue("replicaIdentity", sessions)
                    .log("table lacks REPLICA IDENTITY FULL, updates may relay a placeholder for unchanged large values");
        }
        // A notice needs only the project and path, which a delete carries with the unique index as identity (or
        // FULL); with the primary key alone it carries neither, and the delete is passed over.
        AdvisoryLock.ReplicaIdentity files = identities.get(ChangelogRelaySettings.PROJECT_FILES_TABLE);
        if (files != null && files != AdvisoryLock.ReplicaIdentity.FULL && files != AdvisoryLock.ReplicaIdentity.INDEX) {
            LOG.atWarn().addKeyValue("slot", settings.slotName())
                    .addKeyValue("table", ChangelogRelaySettings.PROJECT_FILES_TABLE).addKeyValue("replicaIdentity", files)
                    .log("table's replica identity is neither its (project_id, file_path) index nor FULL,"
                            + " deletes are passed over");
        }
    }

    /** Takes the lock, retrying as a standby; null when the relay is closed first. */
    private AdvisoryLock awaitLock() throws InterruptedException {
        boolean standingBy = false;
        while (!closing.isDone()) {
            try {
                AdvisoryLock lock = AdvisoryLock.tryAcquire(settings);
                if (lock != null) {
                    return lock;
                }
                if (!standingBy) {
                    standingBy = true;
                    LOG.atInfo().addKeyValue("slot", settings.slotName()).addKeyValue("retry", settings.standbyRetry())
                            .log("another relay holds the advisory lock, standing by");
                }
            } catch (SQLException e) {
                LOG.atWarn().addKeyValue("slot", settings.slotName()).addKeyValue("reason", e.getMessage())
                        .addKeyValue("retry", settings.standbyRetry()).log("cannot take the advisory lock");
            }
            if (closedWithin(settings.standbyRetry())) {
                return null;
            }
        }
        return null;
    }

    /** Runs engines one after the other while the lock is held, until closed or the lock is lost. */
    private void streamWhileHolding(AdvisoryLock lock) throws InterruptedException {
        int failuresInARow = 0;
        while (!closing.isDone()) {
            if (!lock.isHeld()) {
                LOG.atError().addKeyValue("slot", settings.slotName())
                        .log("advisory lock connection lost, not restarting the engine");
                return;
            }
            long relayedBefore = counters.recordsRelayed();
            EngineRun.Outcome outcome;
            try {
                ensureTopics();
                EngineRun run = EngineRun.start(settings, counters);
                current = run;
                try {
                    outcome = watch(run, lock);
                } finally {
                    run.close();
                    current = null;
                }
            } catch (ExecutionException | TimeoutException | RuntimeException e) {
                outcome = new EngineRun.Outcome(false, e.getMessage(), e);
            }
            if (outcome == null) {
                // closed, or the lock is gone: the caller decides what next
                return;
            }
            failuresInARow = counters.recordsRelayed() > relayedBefore ? 1 : failuresInARow + 1;
            Duration backoff = settings.restartBackoff().delay(failuresInARow);
            counters.engineRestarted();
            Throwable error = outcome.error();
            LoggingEventBuilder event = LOG.atError().setCause(error).addKeyValue("slot", settings.slotName());
            TableRoute.Subject subject = ChangeNotRelayedException.subjectIn(error);
            if (subject != null) {
                event = event.addKeyValue(subject.kind(), subject.id());
            }
            event.addKeyValue("reason", outcome.message()).addKeyValue("failuresInARow", failuresInARow)
                    .addKeyValue("restartIn", backoff).log("engine stopped or could not start, restarting it");
            if (closedWithin(backoff)) {
                return;
            }
        }
    }

    /**
     * Waits for the run to end while checking the lock.
     *
     * @return how the engine ended on its own, or null when the relay is closing or lost its lock
     */
    private EngineRun.Outcome watch(EngineRun run, AdvisoryLock lock) throws InterruptedException {
        CompletableFuture<Object> endOrClose = CompletableFuture.anyOf(run.completion(), closing);
        while (true) {
            try {
                endOrClose.get(settings.lockCheckInterval().toMillis(), TimeUnit.MILLISECONDS);
                return closing.isDone() ? null : run.completion().join();
            } catch (TimeoutException e) {
                if (!lock.isHeld()) {
                    LOG.atError().addKeyValue("slot", settings.slotName())
                            .log("advisory lock connection lost, stopping the engine");
                    return null;
                }
            } catch (ExecutionException e) {
                throw new IllegalStateException("neither future completes exceptionally", e);
            }
        }
    }

    private void ensureTopics() throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, Object> config = new HashMap<>();
        settings.producerOverrides().forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, settings.bootstrapServers());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "velocity-cdc-admin-" + settings.slotName());
        try (Admin admin = Admin.create(config)) {
            RelayTopics.ensure(admin, settings, ADMIN_TIMEOUT);
        }
    }

    /** true once the relay is closed, waiting at most {@code max} for that */
    private boolean closedWithin(Duration max) throws InterruptedException {
        try {
            closing.get(max.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("closing never completes exceptionally", e);
        }
    }
}
