package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.header.Headers;

import dev.velocitypreview.core.topic.DeadLetterHeaders;
import dev.velocitypreview.core.topic.Topics;

/**
 * Sets poisoned command records aside on the dead-letter topic, byte for byte, with headers saying
 * where they came from and why. Returns only once Kafka acknowledged, so the original may be committed.
 */
final class DeadLetters implements AutoCloseable {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(30);

    private final Producer<byte[], byte[]> producer;
    private final Clock clock;

    DeadLetters(Producer<byte[], byte[]> producer, Clock clock) {
        this.producer = producer;
        this.clock = clock;
    }

    /** @throws IllegalStateException when Kafka did not acknowledge in time; the original then stays uncommitted */
    void send(ConsumerRecord<byte[], byte[]> original, Exception failure, String reason) {
        ProducerRecord<byte[], byte[]> letter = new ProducerRecord<>(
                Topics.SESSION_COMMANDS_DLT.name(), null, original.key(), original.value());
        Headers headers = letter.headers();
        for (Header header : original.headers()) {
            headers.add(header);
        }
        headers.add(DeadLetterHeaders.ORIGINAL_TOPIC, bytes(original.topic()));
        headers.add(DeadLetterHeaders.ORIGINAL_PARTITION, bytes(Integer.toString(original.partition())));
        headers.add(DeadLetterHeaders.ORIGINAL_OFFSET, bytes(Long.toString(original.offset())));
        headers.add(DeadLetterHeaders.EXCEPTION_CLASS, bytes(failure.getClass().getName()));
        headers.add(DeadLetterHeaders.REASON, bytes(reason));
        headers.add(DeadLetterHeaders.FAILED_AT, bytes(clock.instant().toString()));
        try {
            producer.send(letter).get(SEND_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while dead-lettering offset " + original.offset(), e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("dead-letter topic did not acknowledge offset " + original.offset()
                    + " of partition " + original.partition(), e);
        }
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        producer.close(Duration.ofSeconds(5));
    }
}
