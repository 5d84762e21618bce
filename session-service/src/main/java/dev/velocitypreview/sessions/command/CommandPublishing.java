package dev.velocitypreview.sessions.command;

import java.util.Map;

import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.SessionServiceProperties;
import io.micrometer.core.instrument.MeterRegistry;

/** The Kafka template behind {@link CommandPublisher}. */
@Configuration(proxyBeanMethods = false)
class CommandPublishing {

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<String, SessionCommand> commandProducerFactory(
            KafkaProperties spring, SessionServiceProperties properties,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        return KafkaClientSettings.producerFactory(producerConfig(spring, properties), Topics.SESSION_COMMANDS,
                customizers);
    }

    @Bean
    KafkaTemplate<String, SessionCommand> commandTemplate(DefaultKafkaProducerFactory<String, SessionCommand> factory) {
        KafkaTemplate<String, SessionCommand> template = new KafkaTemplate<>(factory);
        template.setDefaultTopic(Topics.SESSION_COMMANDS.name());
        template.setObservationEnabled(true);
        return template;
    }

    @Bean
    KafkaCommandPublisher commandPublisher(KafkaTemplate<String, SessionCommand> commandTemplate,
                                           SessionServiceProperties properties, MeterRegistry registry) {
        return new KafkaCommandPublisher(commandTemplate, properties.sendTimeout(), registry);
    }

    /**
     * What a 202 promises, laid between Boot's {@code spring.kafka.producer.*} and the raw
     * {@code velocity.session-service.kafka.producer.*}: the command is on every in-sync replica
     * exactly once, and no request waits longer than the send timeout. An override that would
     * break the first half is refused at startup rather than quietly ignored.
     */
    static Map<String, Object> producerConfig(KafkaProperties spring, SessionServiceProperties properties) {
        Map<String, Object> typed = KafkaClientSettings.acknowledgedWithin("session-service-commands", properties.sendTimeout());
        typed.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        Map<String, Object> config = KafkaClientSettings.producer(spring, properties.kafka().bootstrapServers(), typed,
                properties.kafka().producer());
        String why = "a 202 promises the command is stored on every in-sync replica exactly once";
        KafkaClientSettings.require(config, ProducerConfig.ACKS_CONFIG, why, "all", "-1");
        KafkaClientSettings.require(config, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, why, "true");
        return config;
    }
}
