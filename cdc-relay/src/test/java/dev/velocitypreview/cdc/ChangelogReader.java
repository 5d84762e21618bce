package dev.velocitypreview.cdc;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;

import dev.velocitypreview.core.topic.Topics;

/**
 * Reads {@link Topics#SESSIONS} (or another of the relay's topics) from its beginning, keeping the records of the
 * sessions (or projects) a test wrote (the topic is shared with other tests of this JVM). Per key, records stay in
 * topic order.
 */
final class ChangelogReader implements AutoCloseable {

    private final KafkaConsumer<String, byte[]> consumer;
    private final Set<String> keys;
    private final List<ConsumerRecord<String, byte[]>> records = new ArrayList<>();

    /** Call once the relay has created the topic (it is streaming). */
    ChangelogReader(String bootstrapServers, Collection<UUID> sessions) {
        this(bootstrapServers, Topics.SESSIONS.name(), sessions);
    }

    /** Reads {@code topic}, keeping the records keyed by one of {@code keys}. */
    ChangelogReader(String bootstrapServers, String topic, Collection<UUID> keys) {
        this.keys = Set.copyOf(keys.stream().map(UUID::toString).toList());
        this.consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"),
                new StringDeserializer(), new ByteArrayDeserializer());
        List<TopicPartition> partitions = new ArrayList<>();
        for (PartitionInfo partition : consumer.partitionsFor(topic, Duration.ofSeconds(10))) {
            partitions.add(new TopicPartition(partition.topic(), partition.partition()));
        }
        consumer.assign(partitions);
        consumer.seekToBeginning(partitions);
    }

    /** Polls once for at most {@code max} and returns everything of our sessions read so far. */
    List<ConsumerRecord<String, byte[]>> poll(Duration max) {
        for (ConsumerRecord<String, byte[]> record : consumer.poll(max)) {
            if (keys.contains(record.key())) {
                records.add(record);
            }
        }
        return List.copyOf(records);
    }

    /** The records of one session (or project) read so far, in topic order. */
    List<ConsumerRecord<String, byte[]>> of(UUID key) {
        return records.stream().filter(record -> record.key().equals(key.toString())).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
