package dev.velocitypreview.provisioner.files;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.MessageListenerContainer;

import dev.velocitypreview.core.files.FileTopics;

/**
 * Starts the file command container once the file topics exist ({@link FileTopics}), from a thread of its own, so
 * that a provisioner started while Kafka is away starts all the same and begins taking file commands when Kafka
 * comes (the consumer never creates the topic with broker defaults, which would be too small for a file).
 */
final class FileCommandConsumer implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(FileCommandConsumer.class);
    private static final Duration ATTEMPT = Duration.ofSeconds(5);

    private final MessageListenerContainer container;
    private final Map<String, Object> adminConfig;
    private volatile boolean running;
    private volatile Thread starter;

    FileCommandConsumer(MessageListenerContainer container, Map<String, Object> adminConfig) {
        this.container = container;
        this.adminConfig = Map.copyOf(adminConfig);
    }

    @Override
    public synchronized void start() {
        running = true;
        Thread thread = new Thread(this::prepareThenStart, "provisioner-file-topics");
        thread.setDaemon(true);
        starter = thread;
        thread.start();
    }

    private void prepareThenStart() {
        try (Admin admin = Admin.create(adminConfig)) {
            while (running) {
                try {
                    FileTopics.ensure(admin, ATTEMPT);
                    break;
                } catch (ExecutionException | TimeoutException e) {
                    LOG.atWarn().addKeyValue("error", e.toString()).log("file topics not ready, trying again");
                    Thread.sleep(ATTEMPT.toMillis());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        synchronized (this) {
            if (running) {
                container.start();
            }
        }
    }

    @Override
    public synchronized void stop() {
        running = false;
        Thread thread = starter;
        if (thread != null) {
            thread.interrupt();
        }
        container.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
