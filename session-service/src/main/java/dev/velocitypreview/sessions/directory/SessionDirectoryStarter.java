package dev.velocitypreview.sessions.directory;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.core.directory.SessionDirectory;

/**
 * Starts the view in the background once its topics exist, retrying while Kafka is unreachable,
 * so the service comes up (and answers 503 to reads) even when Kafka does not.
 */
final class SessionDirectoryStarter implements SmartLifecycle {

    static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(SessionDirectoryStarter.class);

    private final SessionDirectory directory;
    private final Map<String, Object> adminConfig;
    private final boolean createTopics;
    private final ScheduledExecutorService executor = Executors.newSingleThreadScheduledExecutor(task -> {
        Thread thread = new Thread(task, "session-directory-start");
        thread.setDaemon(true);
        return thread;
    });
    private volatile boolean running;

    SessionDirectoryStarter(SessionDirectory directory, Map<String, Object> adminConfig, boolean createTopics) {
        this.directory = directory;
        this.adminConfig = Map.copyOf(adminConfig);
        this.createTopics = createTopics;
    }

    @Override
    public void start() {
        running = true;
        executor.execute(this::attempt);
    }

    private void attempt() {
        if (!running) {
            return;
        }
        try (Admin admin = Admin.create(adminConfig)) {
            List<String> missing = SourceTopics.ensure(admin, createTopics, ATTEMPT_TIMEOUT);
            if (missing.isEmpty()) {
                directory.start();
                LOG.atInfo().log("session directory started");
                return;
            }
            LOG.atInfo().addKeyValue("missing", missing).log("waiting for topics to be created");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("kafka not reachable yet, will retry");
        }
        if (running) {
            executor.schedule(this::attempt, RETRY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    @Override
    public void stop() {
        running = false;
        executor.shutdownNow();
        try {
            if (!executor.awaitTermination(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.atWarn().log("session directory start did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
