package dev.velocitypreview.sessions.files;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.kafka.requestreply.ReplyingKafkaTemplate;
import org.springframework.kafka.requestreply.RequestReplyFuture;
import org.springframework.kafka.support.TopicPartitionOffset;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileTopics;
import dev.velocitypreview.core.topic.Topics;

/**
 * File commands sent with spring-kafka's {@link ReplyingKafkaTemplate}, keyed by project id. Replies are read as the
 * cleanup pass reads its reports: partition 0 of {@code preview.project-file-replies}, assigned rather than
 * subscribed (so API instances never wait for each other in a group), from where it ended when this instance
 * started sending, and with a shared reply topic (each instance ignores the others' replies). The template starts
 * on the first write, after the file topics are made sure of ({@link FileTopics}).
 */
final class KafkaFileCommands implements FileCommandSender, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaFileCommands.class);
    /** Used for the offsets the template commits only; the reply partition is assigned, not subscribed. */
    static final String REPLY_GROUP = "session-service-file-replies";

    private final ProducerFactory<String, FileCommand> producers;
    private final Map<String, Object> consumerConfig;
    private final Map<String, Object> adminConfig;
    private final Duration sendTimeout;
    private final Duration replyTimeout;
    private final ReentrantLock starting = new ReentrantLock();
    private volatile @Nullable ReplyingKafkaTemplate<String, FileCommand, FileOutcome> template;

    KafkaFileCommands(ProducerFactory<String, FileCommand> producers, Map<String, Object> consumerConfig,
                      Map<String, Object> adminConfig, Duration sendTimeout, Duration replyTimeout) {
        this.producers = producers;
        this.consumerConfig = Map.copyOf(consumerConfig);
        this.adminConfig = Map.copyOf(adminConfig);
        this.sendTimeout = sendTimeout;
        this.replyTimeout = replyTimeout;
    }

    @Override
    public Optional<FileOutcome> send(FileCommand command) {
        ReplyingKafkaTemplate<String, FileCommand, FileOutcome> replies = started();
        RequestReplyFuture<String, FileCommand, FileOutcome> future;
        try {
            future = replies.sendAndReceive(new ProducerRecord<>(Topics.PROJECT_FILE_COMMANDS.name(),
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
        ReplyingKafkaTemplate<String, FileCommand, FileOutcome> ready = template;
        if (ready != null) {
            return ready;
        }
        starting.lock();
        try {
            if (template == null) {
                long replyEnd;
                try (Admin admin = Admin.create(adminConfig)) {
                    FileTopics.ensure(admin, sendTimeout);
                    replyEnd = replyEnd(admin);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new FileCommandNotStoredException("interrupted while preparing the file topics", e);
                } catch (ExecutionException | TimeoutException e) {
                    throw new FileCommandNotStoredException("Kafka did not prepare the file topics: " + e, e);
                }
                ReplyingKafkaTemplate<String, FileCommand, FileOutcome> created = create(replyEnd);
                created.start();
                template = created;
            }
            return template;
        } finally {
            starting.unlock();
        }
    }

    /** Where the reader starts: the end before any command is sent, so no reply can come before the reader's start. */
    private long replyEnd(Admin admin) throws InterruptedException, ExecutionException, TimeoutException {
        TopicPartition partition = new TopicPartition(Topics.PROJECT_FILE_REPLIES.name(), 0);
        return admin.listOffsets(Map.of(partition, OffsetSpec.latest())).partitionResult(partition)
                .get(sendTimeout.toMillis(), TimeUnit.MILLISECONDS).offset();
    }

    private ReplyingKafkaTemplate<String, FileCommand, FileOutcome> create(long replyOffset) {
        DefaultKafkaConsumerFactory<String, FileOutcome> consumers = new DefaultKafkaConsumerFactory<>(consumerConfig,
                new StringDeserializer(), new ErrorHandlingDeserializer<>(Topics.PROJECT_FILE_REPLIES.valueSerde().deserializer()));
        ContainerProperties properties = new ContainerProperties(new TopicPartitionOffset(
                Topics.PROJECT_FILE_REPLIES.name(), 0, replyOffset));
        properties.setGroupId(REPLY_GROUP);
        properties.setAckMode(ContainerProperties.AckMode.MANUAL);
        KafkaMessageListenerContainer<String, FileOutcome> container = new KafkaMessageListenerContainer<>(consumers,
                properties);
        container.setBeanName("session-service-file-replies");
        ReplyingKafkaTemplate<String, FileCommand, FileOutcome> created = new ReplyingKafkaTemplate<>(producers, container);
        created.setDefaultReplyTimeout(replyTimeout);
        // the reply partition is read by every API instance: replies to another instance's commands are no error
        created.setSharedReplyTopic(true);
        return created;
    }

    @Override
    public void destroy() {
        ReplyingKafkaTemplate<String, FileCommand, FileOutcome> running = template;
        template = null;
        if (running != null) {
            running.stop();
            running.destroy();
        }
    }
}
