package dev.velocitypreview.core.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.topic.Topics;

/**
 * Starts a {@link SessionDirectory} in the background as soon as the topics it reads exist (a
 * global store cannot start on a missing topic), trying again every second while Kafka cannot be
 * reached, so a service comes up, and answers "not ready", even when Kafka does not.
 *
 * <p>Thread-safe; {@link #close()} stops the attempts, not the directory.
 */
public final class DirectoryStarter implements AutoCloseable {

    /** The topics a session directory reads. */
    public static final List<String> SOURCE_TOPICS = List.of(Topics.SESSION_COMMANDS.name(), Topics.SESSIONS.name());
    /** How long one attempt (listing, creating topics) may take. */
    public static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(5);
    private static final Duration RETRY_INTERVAL = Duration.ofSeconds(1);
    private static final Logger LOG = LoggerFactory.getLogger(DirectoryStarter.class);

    private final SessionDirectory directory;
    private final Map<String, Object> adminConfig;
    private final boolean createTopics;
    private final ScheduledExecutorService attempts;
    private volatile boolean running;

    /**
     * @param adminConfig  how to reach Kafka (bootstrap servers and security)
     * @param createTopics create missing source topics with the broker's defaults (the changelog
     *                     compacted), or only wait for their writers to create them
     * @param threadName   names the thread that makes the attempts
     */
    public DirectoryStarter(SessionDirectory directory, Map<String, Object> adminConfig, boolean createTopics,
                            String threadName) {
        this.directory = directory;
        this.adminConfig = Map.copyOf(adminConfig);
        this.createTopics = createTopics;
        this.attempts = Executors.newSingleThreadScheduledExecutor(task -> {
            Thread thread = new Thread(task, threadName);
            thread.setDaemon(true);
            return thread;
        });
    }

    public void start() {
        running = true;
        attempts.execute(this::attempt);
    }

    public boolean isRunning() {
        return running;
    }

    private void attempt() {
        if (!running) {
            return;
        }
        try (Admin admin = Admin.create(adminConfig)) {
            List<String> missing = missing(admin);
            if (missing.isEmpty()) {
                missing = leaderless(admin);
            }
            if (missing.isEmpty()) {
                directory.start();
                LOG.atInfo().log("session directory started, loading sessions");
                return;
            }
            LOG.atInfo().addKeyValue("missing", missing).log("waiting for the session topics to be created");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (ExecutionException | TimeoutException | KafkaException e) {
            LOG.atWarn().addKeyValue("error", e.toString()).log("kafka not reachable yet, will retry");
        }
        if (running) {
            attempts.schedule(this::attempt, RETRY_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /**
     * The source topics that exist but have a partition without a leader yet. A global store started
     * on a topic whose partitions are not yet known fails its stream thread for good, so the
     * directory starts only once every partition can be read.
     */
    private static List<String> leaderless(Admin admin) throws InterruptedException, ExecutionException,
            TimeoutException {
        Map<String, TopicDescription> topics = admin.describeTopics(SOURCE_TOPICS).allTopicNames()
                .get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        return SOURCE_TOPICS.stream().filter(name -> {
            TopicDescription topic = topics.get(name);
            return topic == null || topic.partitions().isEmpty()
                    || topic.partitions().stream().anyMatch(partition -> partition.leader() == null
                            || partition.leader().isEmpty());
        }).toList();
    }

    /** The source topics still missing; creates them first when asked to. */
    private List<String> missing(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        List<String> missing = new ArrayList<>(SOURCE_TOPICS);
        missing.removeAll(existing);
        if (!createTopics || missing.isEmpty()) {
            return missing;
        }
        for (String name : missing) {
            NewTopic topic = new NewTopic(name, Optional.empty(), Optional.empty());
            // the changelog keeps the newest row per session; commands keep every record (a TERMINATE
            // must never compact away the CREATE before the provisioner read it)
            if (name.equals(Topics.SESSIONS.name())) {
                topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            try {
                admin.createTopics(List.of(topic)).all().get(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // another service created it between our listing and our request: that is what we wanted
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return List.of();
    }

    @Override
    public void close() {
        running = false;
        attempts.shutdownNow();
        try {
            if (!attempts.awaitTermination(ATTEMPT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                LOG.atWarn().log("session directory start did not stop in time");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
