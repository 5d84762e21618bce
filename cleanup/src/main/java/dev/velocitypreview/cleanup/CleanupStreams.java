package dev.velocitypreview.cleanup;

import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

import dev.velocitypreview.boot.kafka.StreamsStateDirectory;

/**
 * Starts cleanup's streams once its topics are ready ({@link CleanupTopics}): the first attempt in
 * {@link #start()}, so a co-partitioned topic with the wrong partition count stops the start with the reason;
 * while Kafka or the session topics are not there yet, again every second in the background (the service
 * is up and says it is not ready). Stops after the streams (their factory bean closes them, leaving the
 * group) and removes a temporary state directory of its own.
 */
final class CleanupStreams implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(CleanupStreams.class);
    private static final long RETRY_MILLIS = 1000;

    private final StreamsBuilderFactoryBean streams;
    private final Map<String, Object> adminConfig;
    private final boolean createSessionTopics;
    private final StreamsStateDirectory stateDir;
    private final @Nullable AutoCloseable ownedInventory;
    private final ScheduledExecutorService attempts = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "cleanup-start");
        thread.setDaemon(true);
        return thread;
    });
    private volatile int partitions;
    private volatile boolean running;
    private volatile @Nullable String refused;

    /**
     * @param stateDir          the streams' state directory, removed on stop when cleanup made it
     * @param ownedInventory    the machine inventory cleanup made, to close on stop
     */
    CleanupStreams(StreamsBuilderFactoryBean streams, Map<String, Object> adminConfig, boolean createSessionTopics,
                   StreamsStateDirectory stateDir, @Nullable AutoCloseable ownedInventory) {
        this.streams = streams;
        this.adminConfig = Map.copyOf(adminConfig);
        this.createSessionTopics = createSessionTopics;
        this.stateDir = stateDir;
        this.ownedInventory = ownedInventory;
    }

    /** The partition count of {@code preview.sessions}; 0 until the topics are ready. */
    int partitions() {
        return partitions;
    }

    /** Why cleanup refused to start its streams, or null. */
    @Nullable String refused() {
        return refused;
    }

    @Override
    public void start() {
        running = true;
        if (!attempt()) {
            attempts.schedule(this::attemptInBackground, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    private void attemptInBackground() {
        try {
            if (running && !attempt()) {
                attempts.schedule(this::attemptInBackground, RETRY_MILLIS, TimeUnit.MILLISECONDS);
            }
        } catch (IllegalStateException e) {
            refused = e.getMessage();
            LOG.atError().addKeyValue("reason", e.getMessage()).log("cleanup refuses to start");
        }
    }

    /**
     * @return true once the streams were started; false to try again later
     * @throws IllegalStateException when a topic is there with the wrong partition count
     */
    private boolean attempt() {
        try (Admin admin = Admin.create(adminConfig)) {
            partitions = CleanupTopics.prepare(admin, createSessionTopics);
            streams.start();
            LOG.atInfo().addKeyValue("partitions", partitions).log("cleanup streams started");
            return true;
        } catch (CleanupTopics.NotReadyException e) {
            LOG.atInfo().addKeyValue("reason", e.getMessage()).log("cleanup waiting for its topics");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("kafka not reachable yet, will retry");
        } catch (IllegalStateException e) {
            refused = e.getMessage();
            throw e;
        }
        return false;
    }

    @Override
    public void stop() {
        running = false;
        attempts.shutdownNow();
        // the factory bean (a later phase) has closed the streams by now; make sure when it never started
        streams.stop();
        if (ownedInventory != null) {
            try {
                ownedInventory.close();
            } catch (Exception e) {
                LOG.atWarn().addKeyValue("error", e.toString()).log("machine inventory not closed");
            }
        }
        stateDir.removeIfTemporary();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** Before the streams' factory bean (which starts nothing itself here) and, stopping, after it. */
    @Override
    public int getPhase() {
        return streams.getPhase() - 1;
    }
}
