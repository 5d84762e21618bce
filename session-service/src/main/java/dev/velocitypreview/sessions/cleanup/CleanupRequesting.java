package dev.velocitypreview.sessions.cleanup;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.boot.kafka.SharedReplyPartition;
import dev.velocitypreview.core.cleanup.CleanupRequest;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.SessionServiceProperties;

/** The Kafka clients behind {@link CleanupPass}, laid out as every client of the service is ({@link KafkaClientSettings}). */
@Configuration(proxyBeanMethods = false)
class CleanupRequesting {

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<String, CleanupRequest> cleanupRequestProducerFactory(KafkaProperties spring,
            SessionServiceProperties properties, ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        return KafkaClientSettings.producerFactory(KafkaClientSettings.producer(spring, properties.kafka().bootstrapServers(),
                KafkaClientSettings.acknowledgedWithin("session-service-cleanup-requests", properties.sendTimeout()),
                properties.kafka().producer()), Topics.CLEANUP_REQUESTS, customizers);
    }

    @Bean(destroyMethod = "destroy")
    KafkaCleanupPass cleanupPass(DefaultKafkaProducerFactory<String, CleanupRequest> cleanupRequestProducerFactory,
                                 KafkaProperties spring, SessionServiceProperties properties, Clock clock) {
        Map<String, Object> typed = new HashMap<>(SharedReplyPartition.consumerSettings(KafkaCleanupPass.REPLY_READER));
        // cleanup answers from its exactly-once Kafka Streams app: only committed reports count
        typed.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
        Map<String, Object> consumer = KafkaClientSettings.consumer(spring, properties.kafka().bootstrapServers(), typed,
                Map.of());
        return new KafkaCleanupPass(cleanupRequestProducerFactory, consumer, KafkaClientSettings.adminLike(consumer, "session-service-cleanup-topics"),
                properties.cleanupTimeout(), clock);
    }
}
