package dev.velocitypreview.provisioner;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.utils.Utils;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.topic.Topics;

/**
 * The command topic as a test sees it: created if missing, a consumer group placed at its current
 * end (the broker is shared, so earlier tests' commands must not reach this test's provisioner),
 * and commands published as raw bytes, well-formed or not.
 */
final class CommandTopic implements AutoCloseable {

    static final int PARTITIONS = 3;

    private final String bootstrapServers;
    private final Admin admin;
    private final KafkaProducer<byte[], byte[]> producer;

    CommandTopic(String bootstrapServers) {
        this.bootstrapServers = bootstrapServers;
        admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers));
        producer = new KafkaProducer<>(Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.LINGER_MS_CONFIG, "0"), new ByteArraySerializer(), new ByteArraySerializer());
        create(Topics.SESSION_COMMANDS.name(), PARTITIONS);
        create(Topics.SESSION_COMMANDS_DLT.name(), 1);
    }

    /** Commits the group at the end of every command partition, so it reads only what comes next. */
    void startGroupAtEnd(String groupId) {
        Map<TopicPartition, OffsetAndMetadata> ends = endOffsets(Topics.SESSION_COMMANDS.name()).entrySet()
                .stream().collect(Collectors.toMap(Map.Entry::getKey, e -> new OffsetAndMetadata(e.getValue())));
        get(admin.alterConsumerGroupOffsets(groupId, ends).all());
    }

    /** The next offset of every partition of {@code topic}. */
    Map<TopicPartition, Long> endOffsets(String topic) {
        int partitions = partitions(topic);
        Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
        for (int p = 0; p < partitions; p++) {
            latest.put(new TopicPartition(topic, p), OffsetSpec.latest());
        }
        return get(admin.listOffsets(latest).all()).entrySet().stream()
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** The value of the command record at {@code offset} of {@code partition}. */
    byte[] valueAt(int partition, long offset) {
        TopicPartition at = new TopicPartition(Topics.SESSION_COMMANDS.name(), partition);
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
            consumer.assign(List.of(at));
            consumer.seek(at, offset);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
            while (System.nanoTime() < deadline) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.offset() == offset) {
                        return record.value();
                    }
                }
            }
        }
        throw new IllegalStateException("no command record at " + at + "@" + offset + " within 30 s");
    }

    /** The group's committed position on every command partition it has committed on. */
    Map<TopicPartition, Long> committedOffsets(String groupId) {
        return get(admin.listConsumerGroupOffsets(groupId).partitionsToOffsetAndMetadata()).entrySet().stream()
                .filter(e -> e.getKey().topic().equals(Topics.SESSION_COMMANDS.name()) && e.getValue() != null)
                .collect(Collectors.toMap(Map.Entry::getKey, e -> e.getValue().offset()));
    }

    /** The partition a session's commands land on, as the producer's default partitioner places a keyed record. */
    int partitionOf(UUID sessionId) {
        return Utils.toPositive(Utils.murmur2(sessionId.toString().getBytes(StandardCharsets.UTF_8))) % partitions();
    }

    /** How many partitions the command topic has (it may have been created before, by someone else). */
    int partitions() {
        return partitions(Topics.SESSION_COMMANDS.name());
    }

    private int partitions(String topic) {
        return get(admin.describeTopics(List.of(topic)).allTopicNames()).get(topic).partitions().size();
    }

    /** @return where the command was stored */
    RecordMetadata publish(SessionCommand command) {
        return publish(command.sessionId().toString(), SessionCommandCodec.encode(command));
    }

    RecordMetadata publish(String key, byte[] value) {
        return get(producer.send(new ProducerRecord<>(Topics.SESSION_COMMANDS.name(),
                key == null ? null : key.getBytes(StandardCharsets.UTF_8), value)));
    }

    private void create(String topic, int partitions) {
        try {
            get(admin.createTopics(List.of(new NewTopic(topic, partitions, (short) 1))).all());
        } catch (IllegalStateException e) {
            if (!(e.getCause() instanceof TopicExistsException)) {
                throw e;
            }
        }
    }

    private static <T> T get(java.util.concurrent.Future<T> future) {
        try {
            return future.get(30, TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.TimeoutException e) {
            throw new IllegalStateException("kafka did not answer in 30 s", e);
        }
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
        admin.close(Duration.ofSeconds(5));
    }
}
