package dev.velocitypreview.cleanup;

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
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import dev.velocitypreview.core.directory.DirectoryStarter;
import dev.velocitypreview.core.topic.Topics;

/**
 * The topics cleanup reads and writes, made ready before its streams start. The session topics (commands and
 * the changelog) are created the way the session directories create them when asked to, or waited for; then
 * {@code preview.session-activity} and {@code preview.cleanup-requests} are created with exactly as many
 * partitions as {@code preview.sessions}, because one cleanup task reads partition p of all three together
 * (the sessions of partition p, their activity, and the pass requests for them), and
 * {@code preview.cleanup-reports} with one.
 */
final class CleanupTopics {

    private static final long ATTEMPT_MILLIS = DirectoryStarter.ATTEMPT_TIMEOUT.toMillis();

    private CleanupTopics() {
    }

    /** The session topics are not there yet (or have a partition without a leader): try again later. */
    static final class NotReadyException extends Exception {
        NotReadyException(String message) {
            super(message);
        }
    }

    /**
     * @return the number of partitions of {@code preview.sessions}, which the co-partitioned topics now have too
     * @throws NotReadyException     when the session topics are missing (and not to be created) or not led yet
     * @throws IllegalStateException when a co-partitioned topic exists with another partition count
     */
    static int prepare(Admin admin, boolean createSessionTopics)
            throws NotReadyException, InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(ATTEMPT_MILLIS, TimeUnit.MILLISECONDS);
        List<String> missing = new ArrayList<>(DirectoryStarter.SOURCE_TOPICS);
        missing.removeAll(existing);
        if (!missing.isEmpty()) {
            if (!createSessionTopics) {
                throw new NotReadyException("waiting for " + missing + " to be created");
            }
            for (String name : missing) {
                NewTopic topic = new NewTopic(name, Optional.empty(), Optional.empty());
                if (name.equals(Topics.SESSIONS.name())) {
                    topic.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
                }
                create(admin, topic);
            }
        }
        TopicDescription sessions = describe(admin, Topics.SESSIONS.name());
        if (sessions == null || sessions.partitions().isEmpty() || sessions.partitions().stream()
                .anyMatch(partition -> partition.leader() == null || partition.leader().isEmpty())) {
            throw new NotReadyException("waiting for every partition of " + Topics.SESSIONS.name() + " to have a leader");
        }
        int partitions = sessions.partitions().size();
        requirePartitions(admin, Topics.SESSION_ACTIVITY.name(), partitions, true);
        requirePartitions(admin, Topics.CLEANUP_REQUESTS.name(), partitions, false);
        if (!existing.contains(Topics.CLEANUP_REPORTS.name())) {
            create(admin, new NewTopic(Topics.CLEANUP_REPORTS.name(), Optional.of(1), Optional.empty()));
        }
        return partitions;
    }

    /** Creates {@code name} with {@code partitions}, or checks that the one there has that many. */
    private static void requirePartitions(Admin admin, String name, int partitions, boolean compacted)
            throws InterruptedException, ExecutionException, TimeoutException {
        TopicDescription topic = describe(admin, name);
        if (topic == null) {
            NewTopic created = new NewTopic(name, Optional.of(partitions), Optional.empty());
            if (compacted) {
                created.configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
            }
            create(admin, created);
            topic = describe(admin, name);
        }
        int actual = topic == null ? partitions : topic.partitions().size();
        if (actual != partitions) {
            throw new IllegalStateException(name + " has " + actual + " partitions but " + Topics.SESSIONS.name()
                    + " has " + partitions + ": cleanup reads them co-partitioned (partition p of both belongs to one "
                    + "task), so they must have the same number. Recreate " + name + " with " + partitions
                    + " partitions (or delete it and cleanup creates it)");
        }
    }

    private static void create(Admin admin, NewTopic topic)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            admin.createTopics(List.of(topic)).all().get(ATTEMPT_MILLIS, TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // another instance (or service) created it between our look and our request: what we wanted
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static TopicDescription describe(Admin admin, String name)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(ATTEMPT_MILLIS, TimeUnit.MILLISECONDS);
        if (!existing.contains(name)) {
            return null;
        }
        return admin.describeTopics(List.of(name)).allTopicNames().get(ATTEMPT_MILLIS, TimeUnit.MILLISECONDS).get(name);
    }
}
