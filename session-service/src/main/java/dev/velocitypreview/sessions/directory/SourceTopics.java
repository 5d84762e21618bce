package dev.velocitypreview.sessions.directory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.KafkaFuture;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import dev.velocitypreview.core.topic.Topics;

/**
 * The topics the view reads. A global store cannot start on a missing topic, so they must exist
 * before the view starts; whoever comes first creates them, with the broker's default partition
 * count and replication factor.
 */
final class SourceTopics {

    static final List<String> NAMES = List.of(Topics.SESSION_COMMANDS.name(), Topics.SESSIONS.name());

    private SourceTopics() {
    }

    /**
     * @param create create the missing topics, or only report them
     * @return the topics that are still missing, empty once all exist
     */
    static List<String> ensure(Admin admin, boolean create, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        List<String> missing = new ArrayList<>(NAMES);
        missing.removeAll(existing);
        if (!create || missing.isEmpty()) {
            return missing;
        }
        Map<String, KafkaFuture<Void>> created = admin.createTopics(missing.stream().map(SourceTopics::newTopic).toList())
                .values();
        for (KafkaFuture<Void> topic : created.values()) {
            try {
                topic.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (ExecutionException e) {
                // another service created it between our listing and our request: that is what we wanted
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
        return List.of();
    }

    private static NewTopic newTopic(String name) {
        NewTopic topic = new NewTopic(name, Optional.empty(), Optional.empty());
        // the changelog holds the newest row per session; commands must keep every record (a
        // TERMINATE must not compact away the CREATE before the provisioner read it)
        if (name.equals(Topics.SESSIONS.name())) {
            topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        }
        return topic;
    }
}
