package dev.velocitypreview.core.files;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import dev.velocitypreview.core.topic.Topics;

/**
 * Creates the file topics when they are missing. A command carries whole files, so its topic takes records of up to
 * {@link #MAX_COMMAND_BYTES} (Kafka's default is 1 MB, less than one JSON-escaped file at the size limit); the
 * producers that write it raise {@code max.request.size} to the same figure. Both the API (before its first write)
 * and the provisioner (at start) call this, so neither depends on the other starting first.
 */
public final class FileTopics {

    /** The largest encoded {@link FileCommand}: a 1 MiB file JSON-escaped, or a batch request body, fits. */
    public static final int MAX_COMMAND_BYTES = 16 << 20;

    private FileTopics() {
    }

    /**
     * @throws ExecutionException when Kafka refuses to list or create them
     * @throws TimeoutException   when Kafka does not answer within {@code timeout}
     */
    public static void ensure(Admin admin, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!existing.contains(Topics.PROJECT_FILE_COMMANDS.name())) {
            create(admin, new NewTopic(Topics.PROJECT_FILE_COMMANDS.name(), Optional.empty(), Optional.empty())
                    .configs(Map.of(TopicConfig.MAX_MESSAGE_BYTES_CONFIG, Integer.toString(MAX_COMMAND_BYTES))), timeout);
        }
        if (!existing.contains(Topics.PROJECT_FILE_REPLIES.name())) {
            create(admin, new NewTopic(Topics.PROJECT_FILE_REPLIES.name(), Optional.of(1), Optional.empty()), timeout);
        }
    }

    private static void create(Admin admin, NewTopic topic, Duration timeout)
            throws InterruptedException, ExecutionException, TimeoutException {
        try {
            admin.createTopics(List.of(topic)).all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            // another service created it between our look and our request: what we wanted
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }
}
