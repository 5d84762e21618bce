package dev.velocitypreview.cleanup;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
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
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;

/**
 * The topics around cleanup, written and read the way the provisioner and the routers would: rows on the
 * changelog, activity, and the commands cleanup wrote, read {@code read_committed} (as the provisioner reads).
 */
final class CleanupTopicsFixture implements AutoCloseable {

    static final int PARTITIONS = 4;
    static final String USER = "cleanup-it";

    /** What cleanup wrote on the commands topic for one session: a command, or null for a tombstone. */
    record Written(String key, SessionCommand command) {
    }

    private final KafkaProducer<String, SessionView> rows;
    private final KafkaProducer<String, SessionActivity> activity;
    private final KafkaConsumer<String, SessionCommand> commands;
    private final List<Written> written = new ArrayList<>();

    CleanupTopicsFixture(String bootstrapServers) {
        ensureTopics(bootstrapServers);
        Properties producer = new Properties();
        producer.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        producer.put(ProducerConfig.ACKS_CONFIG, "all");
        producer.put(ProducerConfig.LINGER_MS_CONFIG, "0");
        rows = new KafkaProducer<>(producer, Topics.SESSIONS.keySerde().serializer(), Topics.SESSIONS.valueSerde().serializer());
        activity = new KafkaProducer<>(producer, Topics.SESSION_ACTIVITY.keySerde().serializer(),
                Topics.SESSION_ACTIVITY.valueSerde().serializer());
        Properties consumer = new Properties();
        consumer.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        consumer.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        consumer.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        commands = new KafkaConsumer<>(consumer, Topics.SESSION_COMMANDS.keySerde().deserializer(),
                Topics.SESSION_COMMANDS.valueSerde().deserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        commands.partitionsFor(Topics.SESSION_COMMANDS.name()).forEach(info ->
                partitions.add(new TopicPartition(info.topic(), info.partition())));
        commands.assign(partitions);
        commands.seekToEnd(partitions);
        partitions.forEach(commands::position);
    }

    static SessionView row(UUID id, SessionStatus status, long version, Instant updatedAt, Instant expiresAt,
                           Duration idleTimeout, String machineId) {
        Instant terminatedAt = status.isTerminal() ? updatedAt : null;
        return new SessionView(id, USER, UUID.randomUUID(), status, status == SessionStatus.TERMINATED ? "user" : null,
                null, machineId, machineId == null ? null : "http://127.0.0.1:1", "local", Tier.FREE, Visibility.PUBLIC,
                version, updatedAt, updatedAt, updatedAt, status == SessionStatus.ACTIVE ? updatedAt : null, expiresAt,
                terminatedAt, idleTimeout);
    }

    void publish(SessionView view) {
        send(rows, new ProducerRecord<>(Topics.SESSIONS.name(), view.id().toString(), view));
    }

    void seen(UUID id, Instant at) {
        send(activity, new ProducerRecord<>(Topics.SESSION_ACTIVITY.name(), id.toString(), new SessionActivity(id, at)));
    }

    /** Everything committed on the commands topic for {@code id} so far (reads what arrived since the last look). */
    synchronized List<Written> writtenFor(UUID id) {
        commands.poll(Duration.ofMillis(100)).forEach((ConsumerRecord<String, SessionCommand> record) ->
                written.add(new Written(record.key(), record.value())));
        return written.stream().filter(w -> id.toString().equals(w.key())).toList();
    }

    /** How many commands of one kind were committed for each of {@code ids} (one look at the topic for all). */
    synchronized Map<UUID, Long> countsOf(Collection<UUID> ids, SessionCommand.Type type) {
        writtenFor(ids.iterator().next());
        Map<UUID, Long> counts = new HashMap<>();
        ids.forEach(id -> counts.put(id, 0L));
        for (Written w : written) {
            if (w.command() != null && w.command().type() == type) {
                counts.computeIfPresent(w.command().sessionId(), (id, count) -> count + 1);
            }
        }
        return counts;
    }

    /** The commands of one kind committed for {@code id}. */
    List<SessionCommand> commandsFor(UUID id, SessionCommand.Type type) {
        return writtenFor(id).stream().map(Written::command).filter(c -> c != null && c.type() == type).toList();
    }

    private static <V> void send(KafkaProducer<String, V> producer, ProducerRecord<String, V> record) {
        try {
            producer.send(record).get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while publishing to " + record.topic(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("could not publish to " + record.topic(), e);
        }
    }

    /** The session topics' writers create them in production; here the test does, with several partitions. */
    static void ensureTopics(String bootstrapServers) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            Set<String> existing = admin.listTopics().names().get(10, TimeUnit.SECONDS);
            for (NewTopic topic : List.of(
                    new NewTopic(Topics.SESSION_COMMANDS.name(), PARTITIONS, (short) 1),
                    new NewTopic(Topics.SESSIONS.name(), PARTITIONS, (short) 1)
                            .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)))) {
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
            throw new IllegalStateException(e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot create the session topics", e);
        }
    }

    @Override
    public void close() {
        rows.close();
        activity.close();
        commands.close();
    }
}
