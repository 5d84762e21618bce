package dev.velocitypreview.sessions.command;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.topic.Topics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Sends each command and waits for its acknowledgement, never longer than the send timeout in total. */
final class KafkaCommandPublisher implements CommandPublisher, AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommandPublisher.class);

    private final Producer<String, SessionCommand> producer;
    private final Duration sendTimeout;
    private final MeterRegistry registry;

    KafkaCommandPublisher(Producer<String, SessionCommand> producer, Duration sendTimeout, MeterRegistry registry) {
        this.producer = producer;
        this.sendTimeout = sendTimeout;
        this.registry = registry;
    }

    @Override
    public void publish(SessionCommand command) {
        long started = System.nanoTime();
        String outcome = "failed";
        try {
            Future<RecordMetadata> ack = producer.send(new ProducerRecord<>(
                    Topics.SESSION_COMMANDS.name(), command.sessionId().toString(), command));
            // send() may already have spent time waiting for metadata; the deadline covers both.
            long remaining = sendTimeout.toNanos() - (System.nanoTime() - started);
            RecordMetadata stored = ack.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
            outcome = "acknowledged";
            LOG.atDebug().addKeyValue("session", command.sessionId()).addKeyValue("command", command.type())
                    .addKeyValue("partition", stored.partition()).addKeyValue("offset", stored.offset())
                    .log("command acknowledged");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notAcknowledged(command, "interrupted while waiting for Kafka", e);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            throw notAcknowledged(command, "Kafka refused the command: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw notAcknowledged(command, "Kafka did not acknowledge within " + sendTimeout, e);
        } catch (KafkaException e) {
            throw notAcknowledged(command, "Kafka refused the command: " + e.getMessage(), e);
        } finally {
            Timer.builder("velocity.sessions.command.publish")
                    .description("time from sending a session command until Kafka acknowledged it or the send failed")
                    .tag("type", command.type().name().toLowerCase(Locale.ROOT))
                    .tag("outcome", outcome)
                    .register(registry)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    private static CommandNotAcknowledgedException notAcknowledged(SessionCommand command, String why, Throwable cause) {
        LOG.atWarn().addKeyValue("session", command.sessionId()).addKeyValue("command", command.type())
                .addKeyValue("reason", why).log("command not acknowledged");
        return new CommandNotAcknowledgedException(command, why, cause);
    }

    @Override
    public void close() {
        producer.close(sendTimeout);
    }
}
