package dev.velocitypreview.router;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import dev.velocitypreview.core.topic.Topic;

/**
 * Reads what the router writes to a topic from the moment it is opened: every partition, from its end at that
 * moment. Keeps what it read; {@link #read} polls for more.
 */
final class TopicRecords<V> implements AutoCloseable {

    private final KafkaConsumer<String, V> consumer;
    private final List<ConsumerRecord<String, V>> read = new CopyOnWriteArrayList<>();

    TopicRecords(String bootstrapServers, Topic<String, V> topic) {
        consumer = new KafkaConsumer<>(Map.<String, Object>of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG, "router-it-reader-" + UUID.randomUUID(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                topic.keySerde().deserializer(), topic.valueSerde().deserializer());
        List<TopicPartition> partitions = consumer.partitionsFor(topic.name(), Duration.ofSeconds(10)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
        consumer.seekToEnd(partitions);
        // seekToEnd is lazy: take the positions now, so records written from here on are read
        partitions.forEach(partition -> consumer.position(partition, Duration.ofSeconds(10)));
    }

    /** Polls once (up to {@code wait}) and answers the values read so far whose key is {@code key} and that match. */
    List<V> read(UUID key, Predicate<V> matching, Duration wait) {
        consumer.poll(wait).forEach(read::add);
        return read.stream().filter(record -> key.toString().equals(record.key()))
                .map(ConsumerRecord::value).filter(value -> value != null && matching.test(value)).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
