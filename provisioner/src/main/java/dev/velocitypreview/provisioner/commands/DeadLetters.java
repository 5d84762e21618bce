package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeader;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.springframework.kafka.core.KafkaOperations;
import org.springframework.kafka.listener.DeadLetterPublishingRecoverer;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.topic.Topics;

/**
 * Sets poisoned command records aside on the dead-letter topic, byte for byte, through spring-kafka's
 * {@link DeadLetterPublishingRecoverer}: the original headers are kept and its standard
 * {@code kafka_dlt-*} headers say where the record came from (topic, partition, offset, timestamp,
 * consumer group) and why (exception class, cause, message, stack trace), so operators' tools can
 * read and replay the topic. Returns only once Kafka acknowledged, so the original may be committed.
 */
final class DeadLetters {

    private final DeadLetterPublishingRecoverer recoverer;

    DeadLetters(KafkaOperations<byte[], byte[]> template, String groupId, Duration sendTimeout) {
        recoverer = new DeadLetterPublishingRecoverer(template,
                // no fixed partition: the producer spreads letters by key, like the commands were
                (record, failure) -> new TopicPartition(Topics.SESSION_COMMANDS_DLT.name(), -1));
        recoverer.setFailIfSendResultIsError(true);
        recoverer.setWaitForSendResultTimeout(sendTimeout);
        // records are dead-lettered on worker threads, where the consumer (the recoverer's usual
        // source of the group id) must not be touched; the group is known from the settings
        byte[] group = groupId.getBytes(StandardCharsets.UTF_8);
        recoverer.setHeadersFunction((record, failure) ->
                new RecordHeaders(new RecordHeader[] {new RecordHeader(KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP, group)}));
    }

    /**
     * @param failure why the record is set aside; its message is the reason operators read
     * @throws org.springframework.kafka.KafkaException when Kafka did not acknowledge in time; the
     *         original then stays uncommitted
     */
    void send(ConsumerRecord<byte[], byte[]> original, Exception failure) {
        recoverer.accept(original, null, failure);
    }
}
