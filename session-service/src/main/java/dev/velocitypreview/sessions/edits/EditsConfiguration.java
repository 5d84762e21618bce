package dev.velocitypreview.sessions.edits;

import java.util.Map;
import java.util.Optional;
import java.util.UUID;

import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.edits.ProjectFileNotice;
import dev.velocitypreview.core.edits.SessionEditReport;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.SessionServiceProperties;

/**
 * The Kafka side of live edits. Both topics are read by EVERY API instance, whole: any instance may hold a machine's
 * sync (so each must see every project's notices) and any may be asked for a session's dev server state or wait
 * for its report (so each must see every session's reports). Each reader is therefore alone in a consumer group
 * named after this instance (subscribing, so partitions added later are read too) and commits nothing: the
 * notices are read from the end (a sync reads the database anyway; only changes from now on need to wake it), the
 * reports from the beginning (the compacted topic holds each session's latest).
 */
@Configuration(proxyBeanMethods = false)
class EditsConfiguration {

    static final String NOTICE_READER = "session-service-project-file-notices";
    static final String REPORT_READER = "session-service-session-edits";

    @Bean
    ProjectFileWaiters projectFileWaiters() {
        return new ProjectFileWaiters();
    }

    @Bean
    SessionEditReports sessionEditReports(SessionDirectory directory) {
        SessionEditReports reports = new SessionEditReports();
        // bounded by the directory: a session it removed is never shown again
        directory.addListener((id, before, update) -> {
            if (update == null) {
                reports.forget(id);
            }
        });
        return reports;
    }

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<String, SessionEditReport> sessionEditProducerFactory(KafkaProperties spring,
            SessionServiceProperties properties, ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        int timeoutMs = (int) properties.sendTimeout().toMillis();
        return KafkaClientSettings.producerFactory(KafkaClientSettings.producer(spring, properties.kafka().bootstrapServers(),
                Map.of(ProducerConfig.CLIENT_ID_CONFIG, "session-service-session-edits",
                        ProducerConfig.ACKS_CONFIG, "all",
                        ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                        ProducerConfig.LINGER_MS_CONFIG, 0,
                        ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs,
                        ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs,
                        ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000)),
                properties.kafka().producer()), Topics.SESSION_EDITS, customizers);
    }

    @Bean
    SessionEditPublisher sessionEditPublisher(DefaultKafkaProducerFactory<String, SessionEditReport> sessionEditProducerFactory,
                                              SessionServiceProperties properties) {
        KafkaTemplate<String, SessionEditReport> template = new KafkaTemplate<>(sessionEditProducerFactory);
        template.setObservationEnabled(true);
        return new SessionEditPublisher(template, properties.sendTimeout());
    }

    /** Wakes the held syncs of a project at each of its notices; read once the CDC relay has created the topic. */
    @Bean
    TopicReader projectFileNoticeReader(KafkaProperties spring, SessionServiceProperties properties,
                                        ProjectFileWaiters waiters) {
        MessageListener<String, ProjectFileNotice> listener = notice -> {
            if (notice.value() != null) {
                waiters.noticed(notice.value().projectId());
            }
        };
        return new TopicReader(container(spring, properties, Topics.PROJECT_FILES.name(), NOTICE_READER, "latest",
                Topics.PROJECT_FILES.valueSerde().deserializer(), listener), admin(spring, properties), null,
                properties.sendTimeout());
    }

    /** Keeps each session's newest report; the topic is created here when missing (compacted, keyed by session). */
    @Bean
    TopicReader sessionEditReader(KafkaProperties spring, SessionServiceProperties properties,
                                  SessionEditReports reports) {
        MessageListener<String, SessionEditReport> listener = report -> {
            if (report.value() != null) {
                reports.accept(report.value());
            }
        };
        NewTopic topic = new NewTopic(Topics.SESSION_EDITS.name(), Optional.empty(), Optional.empty())
                .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT));
        return new TopicReader(container(spring, properties, Topics.SESSION_EDITS.name(), REPORT_READER, "earliest",
                Topics.SESSION_EDITS.valueSerde().deserializer(), listener), admin(spring, properties),
                properties.kafka().createTopics() ? topic : null, properties.sendTimeout());
    }

    private static Map<String, Object> admin(KafkaProperties spring, SessionServiceProperties properties) {
        return KafkaClientSettings.adminLike(KafkaClientSettings.consumer(spring, properties.kafka().bootstrapServers(),
                Map.of(), Map.of()), "session-service-edit-topics");
    }

    private static <V> KafkaMessageListenerContainer<String, V> container(KafkaProperties spring,
            SessionServiceProperties properties, String topic, String name, String reset,
            org.apache.kafka.common.serialization.Deserializer<V> values, MessageListener<String, V> listener) {
        String instance = Optional.ofNullable(properties.directory().instanceId()).orElseGet(() -> UUID.randomUUID().toString());
        Map<String, Object> config = KafkaClientSettings.consumer(spring, properties.kafka().bootstrapServers(), Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, name,
                ConsumerConfig.GROUP_ID_CONFIG, name + "-" + instance,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, reset,
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false,
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false,
                // a topic another service creates later is found within seconds, not the default five minutes
                ConsumerConfig.METADATA_MAX_AGE_CONFIG, 10_000), Map.of());
        DefaultKafkaConsumerFactory<String, V> consumers = new DefaultKafkaConsumerFactory<>(config,
                new StringDeserializer(), new ErrorHandlingDeserializer<>(values));
        ContainerProperties container = new ContainerProperties(topic);
        // never acknowledged, so never committed: each start reads from where its reset says
        container.setAckMode(ContainerProperties.AckMode.MANUAL);
        container.setMessageListener(listener);
        KafkaMessageListenerContainer<String, V> created = new KafkaMessageListenerContainer<>(consumers, container);
        created.setBeanName(name);
        return created;
    }
}
