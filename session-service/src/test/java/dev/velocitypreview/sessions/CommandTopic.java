package dev.velocitypreview.sessions;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.topic.Topics;

/**
 * Reads {@code preview.session-commands} between two points in time. The service answers only
 * after Kafka acknowledged, so whatever a request published is below the end offsets taken
 * right after its response.
 */
final class CommandTopic implements AutoCloseable {

    private final KafkaConsumer<String, SessionCommand> consumer;
    private final List<TopicPartition> partitions;

    CommandTopic(String bootstrapServers) {
        consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers,
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false),
                Topics.SESSION_COMMANDS.keySerde().deserializer(),
                Topics.SESSION_COMMANDS.valueSerde().deserializer());
        partitions = consumer.partitionsFor(Topics.SESSION_COMMANDS.name(), Duration.ofSeconds(30)).stream()
                .map(info -> new TopicPartition(info.topic(), info.partition())).toList();
        consumer.assign(partitions);
    }

    Map<TopicPartition, Long> endOffsets() {
        return consumer.endOffsets(partitions, Duration.ofSeconds(30));
    }

    /** Everything published since {@code from}, up to the end offsets as they are now. */
    List<ConsumerRecord<String, SessionCommand>> since(Map<TopicPartition, Long> from) {
        Map<TopicPartition, Long> to = endOffsets();
        List<ConsumerRecord<String, SessionCommand>> out = new ArrayList<>();
        Map<TopicPartition, Long> pending = new HashMap<>();
        to.forEach((partition, end) -> {
            if (end > from.getOrDefault(partition, 0L)) {
                pending.put(partition, end);
            }
        });
        consumer.assign(pending.keySet());
        pending.keySet().forEach(partition -> consumer.seek(partition, from.getOrDefault(partition, 0L)));
        Instant deadline = Instant.now().plusSeconds(30);
        while (!pending.isEmpty() && Instant.now().isBefore(deadline)) {
            for (ConsumerRecord<String, SessionCommand> record : consumer.poll(Duration.ofMillis(200))) {
                TopicPartition partition = new TopicPartition(record.topic(), record.partition());
                Long end = pending.get(partition);
                if (end != null && record.offset() < end) {
                    out.add(record);
                }
            }
            pending.keySet().removeIf(partition -> consumer.position(partition) >= pending.get(partition));
        }
        consumer.assign(partitions);
        if (!pending.isEmpty()) {
            throw new AssertionError("could not read the command topic up to " + to);
        }
        return out;
    }

    List<SessionCommand> commandsFor(UUID sessionId, Map<TopicPartition, Long> from) {
        return since(from).stream().filter(record -> record.key().equals(sessionId.toString()))
                .map(ConsumerRecord::value).toList();
    }

    @Override
    public void close() {
        consumer.close();
    }
}
