package dev.velocitypreview.sessions.cleanup;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.TopicDescription;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.ProducerFactory;
import org.springframework.kafka.requestreply.AggregatingReplyingKafkaTemplate;
import org.springframework.kafka.requestreply.KafkaReplyTimeoutException;
import org.springframework.kafka.requestreply.RequestReplyFuture;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

import dev.velocitypreview.boot.kafka.SharedReplyPartition;
import dev.velocitypreview.core.cleanup.CleanupReport;
import dev.velocitypreview.core.cleanup.CleanupRequest;
import dev.velocitypreview.core.topic.Topics;

/**
 * One request per partition of {@code preview.cleanup-requests}, all under one correlation id, and the reports
 * aggregated by spring-kafka's {@link AggregatingReplyingKafkaTemplate}: released when the reports cover every
 * partition, or, at the timeout, with those that arrived.
 *
 * <p>The template sends the first request (which gives it its correlation, reply topic and reply partition
 * headers); the others carry copies of those headers, so that every partition's report joins the same
 * aggregation. The template is started on the first pass, once both topics exist (the topics are cleanup's, which
 * may not be deployed); it reads partition 0 of {@code preview.cleanup-reports}, shared by every API instance
 * ({@link SharedReplyPartition}).
 */
final class KafkaCleanupPass implements CleanupPass, DisposableBean {

    private static final Logger LOG = LoggerFactory.getLogger(KafkaCleanupPass.class);
    /** The report reader's client id, consumer group and container name. */
    static final String REPLY_READER = "session-service-cleanup-reports";

    private final Map<String, Object> adminConfig;
    private final Duration timeout;
    private final Clock clock;
    private final SharedReplyPartition<Collection<ConsumerRecord<String, CleanupReport>>,
            AggregatingReplyingKafkaTemplate<String, CleanupRequest, CleanupReport>> reportReader;
    /**
     * The partition count of the request topic at the latest pass; a pass is complete when its reports cover
     * that many. Partitions are only ever added, and then by the cleanup service's operator, so one value
     * serves every pass in flight.
     */
    private volatile int partitions = Integer.MAX_VALUE;

    KafkaCleanupPass(ProducerFactory<String, CleanupRequest> producers, Map<String, Object> consumerConfig,
                     Map<String, Object> adminConfig, Duration timeout, Clock clock) {
        this.adminConfig = Map.copyOf(adminConfig);
        this.timeout = timeout;
        this.clock = clock;
        this.reportReader = new SharedReplyPartition<>(Topics.CLEANUP_REPORTS.name(), REPLY_READER, aggregates(consumerConfig),
                timeout, container -> {
                    AggregatingReplyingKafkaTemplate<String, CleanupRequest, CleanupReport> created =
                            new AggregatingReplyingKafkaTemplate<>(producers, container,
                                    (received, timedOut) -> timedOut || covered(received) >= partitions);
                    created.setReturnPartialOnTimeout(true);
                    return created;
                });
    }

    // The template listens to aggregated batches: its container's value type is the collection it builds.
    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ConsumerFactory<String, Collection<ConsumerRecord<String, CleanupReport>>> aggregates(
            Map<String, Object> consumerConfig) {
        return (ConsumerFactory) new DefaultKafkaConsumerFactory<>(consumerConfig, new StringDeserializer(),
                new ErrorHandlingDeserializer<>(Topics.CLEANUP_REPORTS.valueSerde().deserializer()));
    }

    @Override
    public CleanupReport run() {
        int count;
        AggregatingReplyingKafkaTemplate<String, CleanupRequest, CleanupReport> replies;
        try (Admin admin = Admin.create(adminConfig)) {
            count = requestPartitions(admin);
            replies = started(admin);
        }
        partitions = count;
        CleanupRequest request = new CleanupRequest(clock.instant());
        ProducerRecord<String, CleanupRequest> first = new ProducerRecord<>(Topics.CLEANUP_REQUESTS.name(), 0, null, request);
        RequestReplyFuture<String, CleanupRequest, Collection<ConsumerRecord<String, CleanupReport>>> future;
        List<CompletableFuture<?>> sends = new ArrayList<>();
        try {
            future = replies.sendAndReceive(first, timeout);
            sends.add(future.getSendFuture());
            for (int partition = 1; partition < count; partition++) {
                // the same correlation, reply topic and reply partition: one aggregation for the whole pass
                sends.add(replies.send(new ProducerRecord<String, CleanupRequest>(Topics.CLEANUP_REQUESTS.name(),
                        partition, (String) null, request, first.headers())));
            }
            for (CompletableFuture<?> send : sends) {
                send.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleanupUnavailableException("interrupted while sending the cleanup requests", e);
        } catch (ExecutionException | TimeoutException | org.springframework.kafka.KafkaException e) {
            throw new CleanupUnavailableException("the cleanup requests could not be stored: " + e.getMessage(), e);
        }
        LOG.atInfo().addKeyValue("partitions", count).addKeyValue("requestedAt", request.requestedAt())
                .log("cleanup pass requested");
        Collection<ConsumerRecord<String, CleanupReport>> reports;
        boolean partial;
        try {
            // the template's own timeout completes the future; the extra second only bounds a template that did not
            ConsumerRecord<String, Collection<ConsumerRecord<String, CleanupReport>>> outcome =
                    future.get(timeout.toMillis() + 1_000, TimeUnit.MILLISECONDS);
            reports = outcome.value();
            partial = AggregatingReplyingKafkaTemplate.PARTIAL_RESULTS_AFTER_TIMEOUT_TOPIC.equals(outcome.topic());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleanupUnavailableException("interrupted while waiting for the cleanup reports", e);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof KafkaReplyTimeoutException) {
                throw incomplete(0, count);
            }
            throw new CleanupUnavailableException("the cleanup reports could not be read: " + e.getCause(), e.getCause());
        } catch (TimeoutException e) {
            throw incomplete(0, count);
        }
        CleanupReport total = reports.stream().map(ConsumerRecord::value).filter(Objects::nonNull)
                .reduce(CleanupReport::plus).orElse(null);
        int answered = total == null ? 0 : total.partitions();
        if (partial || total == null || answered < count) {
            throw incomplete(answered, count);
        }
        LOG.atInfo().addKeyValue("partitions", count).addKeyValue("expired", total.expired())
                .addKeyValue("suspended", total.suspended()).addKeyValue("terminatedIdle", total.terminatedIdle())
                .addKeyValue("orphansDestroyed", total.orphansDestroyed()).addKeyValue("lostFailed", total.lostFailed())
                .addKeyValue("purged", total.purged()).addKeyValue("errors", total.errors())
                .log("cleanup pass reported by every partition");
        return total;
    }

    private CleanupIncompleteException incomplete(int answered, int count) {
        LOG.atWarn().addKeyValue("answered", answered).addKeyValue("partitions", count).addKeyValue("timeout", timeout)
                .log("cleanup pass not reported by every partition in time");
        return new CleanupIncompleteException(answered, count, timeout);
    }

    /** Checks both topics exist without creating them (a producer's or consumer's metadata request could). */
    private int requestPartitions(Admin admin) {
        Map<String, TopicDescription> topics;
        try {
            topics = admin.describeTopics(List.of(Topics.CLEANUP_REQUESTS.name(), Topics.CLEANUP_REPORTS.name()))
                    .allTopicNames().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException e) {
            if (e.getCause() instanceof UnknownTopicOrPartitionException missing) {
                throw new CleanupNotDeployedException(missingTopic(admin), missing);
            }
            throw new CleanupUnavailableException("Kafka could not describe the cleanup topics: " + e.getCause(),
                    e.getCause());
        } catch (TimeoutException e) {
            throw new CleanupUnavailableException("Kafka did not describe the cleanup topics within " + timeout, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleanupUnavailableException("interrupted while describing the cleanup topics", e);
        }
        return topics.get(Topics.CLEANUP_REQUESTS.name()).partitions().size();
    }

    /** Which of the two is missing, for the answer; the request topic when both are. */
    private String missingTopic(Admin admin) {
        try {
            admin.describeTopics(List.of(Topics.CLEANUP_REQUESTS.name())).allTopicNames()
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return Topics.CLEANUP_REPORTS.name();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Topics.CLEANUP_REQUESTS.name();
        } catch (ExecutionException | TimeoutException e) {
            return Topics.CLEANUP_REQUESTS.name();
        }
    }

    private AggregatingReplyingKafkaTemplate<String, CleanupRequest, CleanupReport> started(Admin admin) {
        try {
            return reportReader.started(() -> SharedReplyPartition.end(admin, Topics.CLEANUP_REPORTS.name(), timeout));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CleanupUnavailableException("interrupted while looking up the end of the cleanup reports", e);
        } catch (ExecutionException | TimeoutException e) {
            throw new CleanupUnavailableException("Kafka did not say where " + Topics.CLEANUP_REPORTS.name() + " ends: " + e,
                    e);
        }
    }

    private static int covered(List<ConsumerRecord<String, CleanupReport>> received) {
        return received.stream().map(ConsumerRecord::value).filter(Objects::nonNull)
                .mapToInt(CleanupReport::partitions).sum();
    }

    @Override
    public void destroy() {
        reportReader.destroy();
    }
}
