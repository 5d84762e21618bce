package dev.velocitypreview.provisioner.files;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Applies each file command and answers it where its request headers say. The reply follows spring-kafka's
 * request/reply convention (the same one {@code @SendTo} follows): to {@link KafkaHeaders#REPLY_TOPIC} (and
 * {@link KafkaHeaders#REPLY_PARTITION} when given), carrying the request's {@link KafkaHeaders#CORRELATION_ID}. It
 * is written here because this container is built by hand, like the session command consumer, rather than by
 * the annotation machinery. A command without a reply topic (sent by a tool, or replayed) is applied all the same.
 */
final class FileCommandListener implements MessageListener<String, FileCommand> {

    private static final Logger LOG = LoggerFactory.getLogger(FileCommandListener.class);
    static final String COMMANDS = "velocity.provisioner.file-commands";
    static final String DURATION = "velocity.provisioner.file-commands.duration";

    private final ProjectFileWriter writer;
    private final KafkaTemplate<String, FileOutcome> replies;
    private final MeterRegistry meters;
    private final Timer duration;

    FileCommandListener(ProjectFileWriter writer, KafkaTemplate<String, FileOutcome> replies, MeterRegistry meters) {
        this.writer = writer;
        this.replies = replies;
        this.meters = meters;
        this.duration = Timer.builder(DURATION)
                .description("a file command, from the moment it was taken from Kafka to its outcome stored")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(meters);
    }

    @Override
    public void onMessage(ConsumerRecord<String, FileCommand> record) {
        FileCommand command = record.value();
        if (command == null) {
            // no producer of ours writes one; a tombstone (an operator's tool) has nothing to apply
            LOG.atWarn().addKeyValue("project", record.key()).addKeyValue("offset", record.offset())
                    .log("file command record without a value skipped");
            return;
        }
        Timer.Sample sample = Timer.start(meters);
        ProjectFileWriter.Result result = writer.apply(command);
        sample.stop(duration);
        FileOutcome outcome = result.outcome();
        String name = result.redelivered() ? "redelivered" : outcome instanceof FileOutcome.Applied ? "applied" : "refused";
        Counter.builder(COMMANDS)
                .description("file commands handled, by outcome: applied, refused (nothing changed), redelivered "
                        + "(answered with the outcome stored the first time)")
                .tag("outcome", name)
                .register(meters).increment();
        var log = LOG.atInfo().addKeyValue("command", command.commandId()).addKeyValue("project", command.projectId())
                .addKeyValue("user", command.userId()).addKeyValue("outcome", name);
        if (outcome instanceof FileOutcome.Refused refused) {
            log = log.addKeyValue("code", refused.refusal().code()).addKeyValue("detail", refused.refusal().detail());
        }
        log.log("file command handled");
        reply(record, outcome);
    }

    private void reply(ConsumerRecord<String, FileCommand> request, FileOutcome outcome) {
        Header topic = request.headers().lastHeader(KafkaHeaders.REPLY_TOPIC);
        Header correlation = request.headers().lastHeader(KafkaHeaders.CORRELATION_ID);
        if (topic == null || correlation == null) {
            return;
        }
        Header partition = request.headers().lastHeader(KafkaHeaders.REPLY_PARTITION);
        ProducerRecord<String, FileOutcome> reply = new ProducerRecord<>(new String(topic.value(),
                StandardCharsets.UTF_8),
                partition == null || partition.value().length != Integer.BYTES ? null
                        : ByteBuffer.wrap(partition.value()).getInt(),
                request.key(), outcome);
        reply.headers().add(KafkaHeaders.CORRELATION_ID, correlation.value());
        // the outcome is stored: a reply that is lost costs the caller a 202 instead of a 200, never the write
        replies.send(reply).whenComplete((sent, error) -> {
            if (error != null) {
                LOG.atWarn().addKeyValue("command", outcome.commandId()).addKeyValue("error", error.toString())
                        .log("file command reply not sent");
            }
        });
    }
}
