package dev.velocitypreview.sessions.command;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.KafkaException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.support.SendResult;

import dev.velocitypreview.core.command.SessionCommand;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** Sends each command and waits for its acknowledgement, never longer than the send timeout in total. */
final class KafkaCommandPublisher implements CommandPublisher {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCommandPublisher.class);

    private final KafkaTemplate<String, SessionCommand> template;
    private final Duration sendTimeout;
    private final MeterRegistry registry;

    KafkaCommandPublisher(KafkaTemplate<String, SessionCommand> template, Duration sendTimeout, MeterRegistry registry) {
        this.template = template;
        this.sendTimeout = sendTimeout;
        this.registry = registry;
    }

    @Override
    public void publish(SessionCommand command) {
        long started = System.nanoTime();
        String outcome = "failed";
        try {
            CompletableFuture<SendResult<String, SessionCommand>> ack =
                    template.sendDefault(command.sessionId().toString(), command);
            // send() may already have spent time waiting for metadata; the deadline covers both.
            long remaining = sendTimeout.toNanos() - (System.nanoTime() - started);
            RecordMetadata stored = ack.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS).getRecordMetadata();
            outcome = "acknowledged";
            LOG.atDebug().addKeyValue("session", command.sessionId()).addKeyValue("command", command.type())
                    .addKeyValue("partition", stored.partition()).addKeyValue("offset", stored.offset())
                    .log("command acknowledged");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw notAcknowledged(command, "interrupted while waiting for Kafka", e);
        } catch (ExecutionException e) {
            Throwable cause = rootOf(e);
            throw notAcknowledged(command, "Kafka refused the command: " + cause.getMessage(), cause);
        } catch (TimeoutException e) {
            throw notAcknowledged(command, "Kafka did not acknowledge within " + sendTimeout, e);
        } catch (KafkaException | org.springframework.kafka.KafkaException e) {
            Throwable cause = rootOf(e);
            throw notAcknowledged(command, "Kafka refused the command: " + cause.getMessage(), cause);
        } finally {
            Timer.builder("velocity.sessions.command.publish")
                    .description("time from sending a session command until Kafka acknowledged it or the send failed")
                    .tag("type", command.type().name().toLowerCase(Locale.ROOT))
                    .tag("outcome", outcome)
                    .register(registry)
                    .record(System.nanoTime() - started, TimeUnit.NANOSECONDS);
        }
    }

    /** The template wraps the client's exception in its own; the client's says what went wrong. */
    private static Throwable rootOf(Throwable failure) {
        Throwable cause = failure;
        while ((cause instanceof ExecutionException
                || cause instanceof org.springframework.kafka.KafkaException) && cause.getCause() != null) {
            cause = cause.getCause();
        }
        return cause;
    }

    private static CommandNotAcknowledgedException notAcknowledged(SessionCommand command, String why, Throwable cause) {
        LOG.atWarn().addKeyValue("session", command.sessionId()).addKeyValue("command", command.type())
                .addKeyValue("reason", why).log("command not acknowledged");
        return new CommandNotAcknowledgedException(command, why, cause);
    }
}
