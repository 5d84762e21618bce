package dev.velocitypreview.provisioner.files;

import java.time.Clock;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.listener.ConcurrentMessageListenerContainer;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.DefaultErrorHandler;
import org.springframework.kafka.support.serializer.ErrorHandlingDeserializer;
import org.springframework.scheduling.concurrent.ThreadPoolTaskScheduler;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;
import org.springframework.util.backoff.ExponentialBackOff;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileRules;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The file commands' own listener container, in a consumer group of their own ({@code velocity.provisioner.kafka.group-id}
 * plus {@code -files}): in the session commands' group, every start, stop or stall of this container (it starts once
 * the file topics exist, and retries a database failure without end) rebalanced the session commands' partitions
 * too, and a CREATE could wait for that rebalance longer than any request is held. {@code read_committed}
 * like the session commands, one record at a time (each is one short transaction; a project's commands stay in
 * order), offsets committed after each record. A record that cannot be read is logged and skipped (it can never
 * be applied); a database failure is retried with backoff, without end, so an accepted write is never dropped.
 */
@Configuration(proxyBeanMethods = false)
class FilesConfiguration {

    static final String FILES_GROUP_SUFFIX = "-files";

    @Bean
    ProjectFileWriter projectFileWriter(NamedParameterJdbcTemplate jdbc, PlatformTransactionManager transactions) {
        return new ProjectFileWriter(jdbc, new TransactionTemplate(transactions), FileRules.DEFAULTS);
    }

    @Bean
    FileCommandRetention fileCommandRetention(NamedParameterJdbcTemplate jdbc, ProvisionerSettings settings, Clock clock) {
        return new FileCommandRetention(jdbc, settings.files().commandRetention(), clock);
    }

    /** Prunes old outcomes on a thread of its own, first one interval after start. */
    @Bean(destroyMethod = "shutdown")
    ThreadPoolTaskScheduler fileCommandPruning(FileCommandRetention retention, ProvisionerSettings settings,
                                               Clock clock) {
        ThreadPoolTaskScheduler scheduler = new ThreadPoolTaskScheduler();
        scheduler.setThreadNamePrefix("file-command-pruning-");
        scheduler.setDaemon(true);
        scheduler.initialize();
        Duration interval = settings.files().pruneInterval();
        scheduler.scheduleWithFixedDelay(retention::pruneQuietly, clock.instant().plus(interval), interval);
        return scheduler;
    }

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<String, FileOutcome> fileReplyProducerFactory(KafkaProperties spring,
            ProvisionerSettings settings, ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        ProvisionerSettings.Kafka kafka = settings.kafka();
        return KafkaClientSettings.producerFactory(KafkaClientSettings.producer(spring, kafka.bootstrapServers(), Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "provisioner-file-replies",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0), kafka.producer()), Topics.PROJECT_FILE_REPLIES, customizers);
    }

    @Bean
    KafkaTemplate<String, FileOutcome> fileReplyTemplate(DefaultKafkaProducerFactory<String, FileOutcome> fileReplyProducerFactory) {
        return new KafkaTemplate<>(fileReplyProducerFactory);
    }

    @Bean
    FileCommandConsumer fileCommandConsumer(KafkaProperties spring,
            ProvisionerSettings settings, ProjectFileWriter writer, KafkaTemplate<String, FileOutcome> fileReplyTemplate,
            MeterRegistry meters) {
        ProvisionerSettings.Kafka kafka = settings.kafka();
        Map<String, Object> config = new HashMap<>(KafkaClientSettings.consumer(spring, kafka.bootstrapServers(), Map.of(
                ConsumerConfig.CLIENT_ID_CONFIG, "provisioner-file-commands",
                ConsumerConfig.GROUP_ID_CONFIG, kafka.groupId() + FILES_GROUP_SUFFIX,
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed",
                // created by FileTopics with room for large records, never with broker defaults
                ConsumerConfig.ALLOW_AUTO_CREATE_TOPICS_CONFIG, false), kafka.consumer()));
        KafkaClientSettings.require(config, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "a file command of an aborted transaction must never be applied", "read_committed");
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        Object instance = config.get(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG);
        if (instance != null) {
            // the configured static member id names this instance's session command consumer
            config.put(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, instance + FILES_GROUP_SUFFIX);
        }
        DefaultKafkaConsumerFactory<String, FileCommand> consumers = new DefaultKafkaConsumerFactory<>(config,
                new StringDeserializer(), new ErrorHandlingDeserializer<>(Topics.PROJECT_FILE_COMMANDS.valueSerde().deserializer()));
        ContainerProperties properties = new ContainerProperties(Topics.PROJECT_FILE_COMMANDS.name());
        properties.setAckMode(ContainerProperties.AckMode.RECORD);
        properties.setPollTimeout(kafka.pollTimeout().toMillis());
        properties.setMessageListener(new FileCommandListener(writer, fileReplyTemplate, meters));
        ConcurrentMessageListenerContainer<String, FileCommand> container =
                new ConcurrentMessageListenerContainer<>(consumers, properties);
        container.setBeanName("provisioner-file-commands");
        ExponentialBackOff backOff = new ExponentialBackOff(settings.retry().initialDelay().toMillis(), 2.0);
        backOff.setMaxInterval(settings.retry().maxDelay().toMillis());
        // unreadable records are not retried (spring-kafka classifies a DeserializationException so) and are
        // logged by the default recoverer; every other failure (the database) is retried until it passes
        container.setCommonErrorHandler(new DefaultErrorHandler(backOff));
        return new FileCommandConsumer(container, KafkaClientSettings.adminLike(config, "provisioner-file-topics"));
    }
}
