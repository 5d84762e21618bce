package dev.velocitypreview.router;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;

/**
 * Plays session-service and the provisioner's CDC relay for router tests: publishes CREATE commands and
 * changelog rows to the real topics, with the platform's serdes.
 */
final class SessionLog implements AutoCloseable {

    private final KafkaProducer<String, SessionCommand> commands;
    private final KafkaProducer<String, SessionView> rows;

    SessionLog(String bootstrapServers) {
        ensureTopics(bootstrapServers);
        Properties config = new Properties();
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        commands = new KafkaProducer<>(config, Topics.SESSION_COMMANDS.keySerde().serializer(),
                Topics.SESSION_COMMANDS.valueSerde().serializer());
        rows = new KafkaProducer<>(config, Topics.SESSIONS.keySerde().serializer(), Topics.SESSIONS.valueSerde().serializer());
    }

    /** Publishes the CREATE of a new public session. */
    void create(UUID id) {
        create(id, Visibility.PUBLIC);
    }

    void create(UUID id, Visibility visibility) {
        send(commands, new ProducerRecord<>(Topics.SESSION_COMMANDS.name(), id.toString(), createOf(id, visibility)));
    }

    /** Publishes the CREATE of a public session of {@code userId}. */
    void create(UUID id, String userId) {
        send(commands, new ProducerRecord<>(Topics.SESSION_COMMANDS.name(), id.toString(),
                SessionCommand.create(id, userId, UUID.randomUUID(), "react", Tier.FREE, Visibility.PUBLIC, Duration.ofMinutes(30),
                        new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now())));
    }

    /** Publishes the changelog's tombstone of a session, as the relay does when the provisioner deleted its row. */
    RecordMetadata rowTombstone(UUID id) {
        return send(rows, new ProducerRecord<>(Topics.SESSIONS.name(), id.toString(), null));
    }

    /** Publishes the command topic's tombstone of a session, as cleanup does when it retains the session out. */
    RecordMetadata commandTombstone(UUID id) {
        return send(commands, new ProducerRecord<>(Topics.SESSION_COMMANDS.name(), id.toString(), null));
    }

    /** Publishes the CREATE of a public session into a given partition, behind whatever was published there. */
    RecordMetadata createInPartition(UUID id, int partition) {
        return send(commands, new ProducerRecord<>(Topics.SESSION_COMMANDS.name(), partition, id.toString(),
                createOf(id, Visibility.PUBLIC)));
    }

    private static SessionCommand createOf(UUID id, Visibility visibility) {
        return SessionCommand.create(id, "router-it", UUID.randomUUID(), "react", Tier.FREE, visibility, Duration.ofMinutes(30),
                new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }

    /** Publishes a changelog row and returns where it landed. */
    RecordMetadata row(UUID id, SessionStatus status, long version) {
        return row(view(id, status, version, null, null, null));
    }

    RecordMetadata active(UUID id, long version, String machineUrl) {
        return row(view(id, SessionStatus.ACTIVE, version, null, null, machineUrl));
    }

    RecordMetadata row(SessionView view) {
        return send(rows, new ProducerRecord<>(Topics.SESSIONS.name(), view.id().toString(), view));
    }

    /** Publishes a row into a given partition, behind whatever was published there before. */
    RecordMetadata rowInPartition(SessionView view, int partition) {
        return send(rows, new ProducerRecord<>(Topics.SESSIONS.name(), partition, view.id().toString(), view));
    }

    /** Publishes rows without waiting for each; {@link #flush()} waits for all. */
    void rowAsync(SessionView view) {
        rows.send(new ProducerRecord<>(Topics.SESSIONS.name(), view.id().toString(), view));
    }

    void flush() {
        rows.flush();
    }

    static SessionView view(UUID id, SessionStatus status, long version, String reason, String error, String machineUrl) {
        return view(id, status, version, reason, error, machineUrl, Visibility.PUBLIC);
    }

    static SessionView view(UUID id, SessionStatus status, long version, String reason, String error, String machineUrl,
                            Visibility visibility) {
        return view(id, "router-it", status, version, reason, error, machineUrl, visibility);
    }

    static SessionView view(UUID id, String userId, SessionStatus status, long version, String reason, String error,
                            String machineUrl, Visibility visibility) {
        Instant now = Instant.now();
        return new SessionView(id, userId, UUID.randomUUID(), status, reason, error,
                machineUrl == null ? null : "machine-" + id, machineUrl, "local", Tier.FREE, visibility, version,
                now, now, now, null, null, null, null);
    }

    private static <V> RecordMetadata send(KafkaProducer<String, V> producer, ProducerRecord<String, V> record) {
        try {
            return producer.send(record).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + record.topic(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish to " + record.topic(), e);
        }
    }

    /** The topics' writers create them in production; here the test does, as they would. */
    private static void ensureTopics(String bootstrapServers) {
        createTopics(bootstrapServers, List.of(
                new NewTopic(Topics.SESSION_COMMANDS.name(), 1, (short) 1),
                new NewTopic(Topics.SESSIONS.name(), 1, (short) 1)
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))));
    }

    /** Creates the activity topic, as cleanup does at start-up. */
    static void createActivityTopic(String bootstrapServers) {
        createTopics(bootstrapServers, List.of(new NewTopic(Topics.SESSION_ACTIVITY.name(), 1, (short) 1)));
    }

    static Set<String> topics(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            return admin.listTopics().names().get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while listing topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not list topics", e);
        }
    }

    private static void createTopics(String bootstrapServers, List<NewTopic> topics) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            for (NewTopic topic : topics) {
                if (existing.contains(topic.name())) {
                    continue;
                }
                try {
                    admin.createTopics(List.of(topic)).all().get(10, TimeUnit.SECONDS);
                } catch (ExecutionException e) {
                    if (!(e.getCause() instanceof TopicExistsException)) {
                        throw e;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while creating topics " + topics, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not create topics " + topics, e);
        }
    }

    @Override
    public void close() {
        commands.close();
        rows.close();
    }
}
