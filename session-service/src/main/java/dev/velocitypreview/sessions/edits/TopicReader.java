package dev.velocitypreview.sessions.edits;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.errors.TopicExistsException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;

import dev.velocitypreview.core.retry.Backoff;

/**
 * Starts a reader once its topic exists, creating it first when given one to create, retrying in the background
 * so the API starts while Kafka is away (or before the service that creates the topic). A consumer subscribed to
 * a missing topic would warn at every metadata refresh instead.
 */
public final class TopicReader implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(TopicReader.class);
    private static final Backoff RETRY = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));

    private final KafkaMessageListenerContainer<String, ?> container;
    private final Map<String, Object> adminConfig;
    private final @Nullable NewTopic create;
    private final Duration timeout;
    private volatile boolean running;
    private volatile @Nullable Thread starting;

    TopicReader(KafkaMessageListenerContainer<String, ?> container, Map<String, Object> adminConfig,
                @Nullable NewTopic create, Duration timeout) {
        this.container = container;
        this.adminConfig = Map.copyOf(adminConfig);
        this.create = create;
        this.timeout = timeout;
    }

    @Override
    public void start() {
        running = true;
        String topic = container.getContainerProperties().getTopics()[0];
        Thread thread = new Thread(() -> {
            try (Admin admin = Admin.create(adminConfig)) {
                for (int failures = 0; running; failures++) {
                    try {
                        if (exists(admin, topic)) {
                            break;
                        }
                        if (failures == 0) {
                            LOG.atInfo().addKeyValue("topic", topic).log("waiting for the topic before reading it");
                        }
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        LOG.atWarn().addKeyValue("topic", topic).addKeyValue("error", e.toString())
                                .log("topic not made sure of yet, retrying");
                    }
                    Thread.sleep(RETRY.delay(failures + 1).toMillis());
                }
            } catch (InterruptedException e) {
                return;
            }
            synchronized (this) {
                if (running) {
                    container.start();
                }
            }
        }, container.getBeanName() + "-start");
        thread.setDaemon(true);
        starting = thread;
        thread.start();
    }

    private boolean exists(Admin admin, String topic) throws Exception {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (existing.contains(topic)) {
            return true;
        }
        if (create == null) {
            return false;
        }
        try {
            admin.createTopics(List.of(create)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // another instance created it between our look and our request: what we wanted
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
        return true;
    }

    @Override
    public void stop() {
        running = false;
        Thread thread = starting;
        if (thread != null) {
            thread.interrupt();
        }
        synchronized (this) {
            container.stop();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** True once the reader has its partitions: from then on it reads whatever is published. */
    public boolean assigned() {
        var partitions = container.getAssignedPartitions();
        return partitions != null && !partitions.isEmpty();
    }
}
