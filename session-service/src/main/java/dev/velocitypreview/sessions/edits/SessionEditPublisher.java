package dev.velocitypreview.sessions.edits;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.springframework.kafka.core.KafkaTemplate;

import dev.velocitypreview.core.edits.SessionEditReport;
import dev.velocitypreview.core.topic.Topics;

/** Relays a machine's edit results to {@code preview.session-edits}, keyed by session, waiting for Kafka's ack. */
public class SessionEditPublisher {

    private final KafkaTemplate<String, SessionEditReport> template;
    private final Duration sendTimeout;

    SessionEditPublisher(KafkaTemplate<String, SessionEditReport> template, Duration sendTimeout) {
        this.template = template;
        this.sendTimeout = sendTimeout;
    }

    /** @throws ReportNotStoredException when Kafka did not acknowledge it within the send timeout */
    public void publish(SessionEditReport report) {
        long started = System.nanoTime();
        try {
            var ack = template.send(Topics.SESSION_EDITS.name(), report.sessionId().toString(), report);
            long remaining = sendTimeout.toNanos() - (System.nanoTime() - started);
            ack.get(Math.max(remaining, 0), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ReportNotStoredException("interrupted while waiting for Kafka", e);
        } catch (ExecutionException e) {
            throw new ReportNotStoredException("Kafka refused the report: " + e.getCause(), e.getCause());
        } catch (TimeoutException | org.springframework.kafka.KafkaException | org.apache.kafka.common.KafkaException e) {
            throw new ReportNotStoredException("Kafka did not acknowledge the report within " + sendTimeout, e);
        }
    }

    /** Kafka did not store an edit report. */
    public static final class ReportNotStoredException extends RuntimeException {
        ReportNotStoredException(String message, Throwable cause) {
            super(message, cause);
        }
    }
}
