package dev.velocitypreview.cdc;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.topic.Topics;

/**
 * Creates the relay's topics when they are missing: the sessions changelog and the offsets, compacted; the project
 * files notices, deleted after their retention. Existing topics are left as they are.
 */
final class RelayTopics {

    private static final Logger LOG = LoggerFactory.getLogger(RelayTopics.class);

    private RelayTopics() {
    }

    static void ensure(Admin admin, ChangelogRelaySettings settings, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Map<String, String> compacted = Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT);
        List<NewTopic> wanted = List.of(
                new NewTopic(Topics.SESSIONS.name(), settings.sessionsTopicPartitions(), settings.replicationFactor())
                        .configs(compacted),
                new NewTopic(Topics.PROJECT_FILES.name(), settings.projectFilesTopicPartitions(),
                        settings.replicationFactor()).configs(Map.of(
                                TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_DELETE,
                                TopicConfig.RETENTION_MS_CONFIG, Long.toString(settings.projectFilesRetention().toMillis()))),
                new NewTopic(Topics.CDC_OFFSETS, settings.offsetsTopicPartitions(), settings.replicationFactor())
                        .configs(compacted));
        long deadline = System.nanoTime() + timeout.toNanos();
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        for (NewTopic topic : wanted) {
            if (existing.contains(topic.name())) {
                continue;
            }
            try {
                admin.createTopics(List.of(topic)).all()
                        .get(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                LOG.atInfo().addKeyValue("topic", topic.name()).addKeyValue("partitions", topic.numPartitions())
                        .addKeyValue("replicationFactor", topic.replicationFactor()).log("topic created");
            } catch (ExecutionException e) {
                // Another relay or service created it in the meantime: fine.
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }
}
