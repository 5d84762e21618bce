package dev.velocitypreview.sessions.edits;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.TopicExistsException;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
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
import dev.velocitypreview.core.retry.Backoff;
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

    private static final Logger LOG = LoggerFactory.getLogger(EditsConfiguration.class);
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

    /** Wakes the held syncs of a project at each of its notices. */
    @Bean
    KafkaMessageListenerContainer<String, ProjectFileNotice> projectFileNoticeReader(KafkaProperties spring,
            SessionServiceProperties properties, ProjectFileWaiters waiters) {
        MessageListener<String, ProjectFileNotice> listener = notice -> {
            if (notice.value() != null) {
                waiters.noticed(notice.value().projectId());
            }
        };
        return container(spring, properties, Topics.PROJECT_FILES.name(), NOTICE_READER, "latest",
                Topics.PROJECT_FILES.valueSerde().deserializer(), listener);
    }

    /** Keeps each session's newest report; started once the topic is made sure of. */
    @Bean
    SessionEditReader sessionEditReader(KafkaProperties spring, SessionServiceProperties properties,
                                        SessionEditReports reports) {
        MessageListener<String, SessionEditReport> listener = report -> {
            if (report.value() != null) {
                reports.accept(report.value());
            }
        };
        KafkaMessageListenerContainer<String, SessionEditReport> container = container(spring, properties,
                Topics.SESSION_EDITS.name(), REPORT_READER, "earliest", Topics.SESSION_EDITS.valueSerde().deserializer(),
                listener);
        container.setAutoStartup(false);
        Map<String, Object> admin = KafkaClientSettings.adminLike(KafkaClientSettings.consumer(spring,
                properties.kafka().bootstrapServers(), Map.of(), Map.of()), "session-service-edit-topics");
        return new SessionEditReader(container, admin, properties.kafka().createTopics(), properties.sendTimeout());
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

    /**
     * Creates {@code preview.session-edits} (compacted: a session's latest report is what is read) when it is
     * missing, retrying in the background so the API starts while Kafka is away, then starts reading it.
     */
    static final class SessionEditReader implements SmartLifecycle {

        private static final Backoff RETRY = new Backoff(Duration.ofMillis(200), Duration.ofSeconds(10));

        private final KafkaMessageListenerContainer<String, SessionEditReport> container;
        private final Map<String, Object> adminConfig;
        private final boolean createTopics;
        private final Duration timeout;
        private volatile boolean running;
        private volatile Thread starting;

        SessionEditReader(KafkaMessageListenerContainer<String, SessionEditReport> container,
                          Map<String, Object> adminConfig, boolean createTopics, Duration timeout) {
            this.container = container;
            this.adminConfig = Map.copyOf(adminConfig);
            this.createTopics = createTopics;
            this.timeout = timeout;
        }

        @Override
        public void start() {
            running = true;
            Thread thread = new Thread(() -> {
                for (int failures = 0; running && createTopics; failures++) {
                    try (Admin admin = Admin.create(adminConfig)) {
                        ensureTopic(admin, timeout);
                        break;
                    } catch (InterruptedException e) {
                        return;
                    } catch (Exception e) {
                        LOG.atWarn().addKeyValue("topic", Topics.SESSION_EDITS.name()).addKeyValue("error", e.toString())
                                .log("edit report topic not made sure of yet, retrying");
                        try {
                            Thread.sleep(RETRY.delay(failures + 1).toMillis());
                        } catch (InterruptedException interrupted) {
                            return;
                        }
                    }
                }
                synchronized (this) {
                    if (running) {
                        container.start();
                    }
                }
            }, "session-edits-start");
            thread.setDaemon(true);
            starting = thread;
            thread.start();
        }

        @Override
        public void stop() {
            running = false;
            Thread thread = starting;
            if (thread != null) {
                thread.interrupt();
            }
            synchronized (this) {
                container.stop();
            }
        }

        @Override
        public boolean isRunning() {
            return running;
        }

        KafkaMessageListenerContainer<String, SessionEditReport> container() {
            return container;
        }

        static void ensureTopic(Admin admin, Duration timeout) throws Exception {
            Set<String> existing = admin.listTopics().names().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            if (existing.contains(Topics.SESSION_EDITS.name())) {
                return;
            }
            try {
                admin.createTopics(List.of(new NewTopic(Topics.SESSION_EDITS.name(), Optional.empty(), Optional.empty())
                        .configs(Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT))))
                        .all().get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.ExecutionException e) {
                // another instance created it between our look and our request: what we wanted
                if (!(e.getCause() instanceof TopicExistsException)) {
                    throw e;
                }
            }
        }
    }
}
