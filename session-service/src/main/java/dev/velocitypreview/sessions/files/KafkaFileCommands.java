package dev.velocitypreview.sessions.files;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.kafka.requestreply.RequestReplyFuture;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

import dev.velocitypreview.boot.kafka.SharedReplyPartition;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileTopics;
import dev.velocitypreview.core.topic.Topics;

/**
 * File commands sent with spring-kafka's {@link ReplyingKafkaTemplate}, keyed by project id. Replies are read as the
 * cleanup pass reads its reports ({@link SharedReplyPartition}): partition 0 of {@code preview.project-file-replies},
 * shared by every API instance. The template starts on the first write, after the file topics are made sure of
 * ({@link FileTopics}).
 */
final class KafkaFileCommands implements FileCommandSender, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFileCommands.class);
    /** The reply reader's client id, consumer group and container name. */
    static final String REPLY_READER = "session-service-file-replies";

    private final Map<String, Object> adminConfig;
    private final Duration sendTimeout;
    private final Duration replyTimeout;
    private final SharedReplyPartition<FileOutcome, ReplyingKafkaTemplate<String, FileCommand, FileOutcome>> replies;

    KafkaFileCommands(ProducerFactory<String, FileCommand> producers, Map<String, Object> consumerConfig,
                      Map<String, Object> adminConfig, Duration sendTimeout, Duration replyTimeout) {
        this.adminConfig = Map.copyOf(adminConfig);
        this.sendTimeout = sendTimeout;
        this.replyTimeout = replyTimeout;
        this.replies = new SharedReplyPartition<>(Topics.PROJECT_FILE_REPLIES.name(), REPLY_READER,
                new DefaultKafkaConsumerFactory<>(consumerConfig, new StringDeserializer(),
                        new ErrorHandlingDeserializer<>(Topics.PROJECT_FILE_REPLIES.valueSerde().deserializer())),
                replyTimeout, container -> new ReplyingKafkaTemplate<>(producers, container));
    }

    @Override
    public Optional<FileOutcome> send(FileCommand command) {
        ReplyingKafkaTemplate<String, FileCommand, FileOutcome> template = started();
        RequestReplyFuture<String, FileCommand, FileOutcome> future;
        try {
            future = template.sendAndReceive(new ProducerRecord<>(Topics.PROJECT_FILE_COMMANDS.name(),
                    command.projectId().toString(), command), replyTimeout);
            future.getSendFuture().get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FileCommandNotStoredException("interrupted while storing the file command", e);
        } catch (ExecutionException e) {
            throw new FileCommandNotStoredException("Kafka did not store the file command: " + e.getCause(), e.getCause());
        } catch (TimeoutException | org.springframework.kafka.KafkaException e) {
            throw new FileCommandNotStoredException("Kafka did not store the file command within " + sendTimeout, e);
        }
        try {
            // the template's own timeout completes the future; the extra second only bounds a template that did not
            ConsumerRecord<String, FileOutcome> reply = future.get(replyTimeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            return Optional.ofNullable(reply.value());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.empty();
        } catch (ExecutionException e) {
            if (!(e.getCause() instanceof KafkaReplyTimeoutException)) {
                LOG.atWarn().addKeyValue("command", command.commandId()).addKeyValue("project", command.projectId())
                        .addKeyValue("error", String.valueOf(e.getCause())).log("file command reply unreadable");
            }
            return Optional.empty();
        } catch (TimeoutException e) {
            return Optional.empty();
        }
    }

    private ReplyingKafkaTemplate<String, FileCommand, FileOutcome> started() {
        try {
            return replies.started(() -> {
                try (Admin admin = Admin.create(adminConfig)) {
                    FileTopics.ensure(admin, sendTimeout);
                    return SharedReplyPartition.end(admin, Topics.PROJECT_FILE_REPLIES.name(), sendTimeout);
                }
            });
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FileCommandNotStoredException("interrupted while preparing the file topics", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new FileCommandNotStoredException("Kafka did not prepare the file topics: " + e, e);
        }
    }

    @Override
    public void destroy() {
        replies.destroy();
    }
}
