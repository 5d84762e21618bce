package dev.velocitypreview.provisioner.commands;

import java.time.Clock;
import java.time.Duration;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import io.micrometer.core.instrument.MeterRegistry;

@Configuration(proxyBeanMethods = false)
class CommandsConfiguration {

    /** How long a dead letter may take to be acknowledged before its original is left for a retry. */
    static final Duration DEAD_LETTER_TIMEOUT = Duration.ofSeconds(30);

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<byte[], byte[]> deadLetterProducerFactory(
            KafkaProperties spring, ProvisionerSettings settings,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        ProvisionerSettings.Kafka kafka = settings.kafka();
        Map<String, Object> config = KafkaClientSettings.producer(spring, kafka.bootstrapServers(), Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "provisioner-dead-letters",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true), kafka.producer());
        return KafkaClientSettings.producerFactory(config, new ByteArraySerializer(), new ByteArraySerializer(),
                customizers);
    }

    @Bean
    KafkaTemplate<byte[], byte[]> deadLetterTemplate(DefaultKafkaProducerFactory<byte[], byte[]> deadLetterProducerFactory) {
        KafkaTemplate<byte[], byte[]> template = new KafkaTemplate<>(deadLetterProducerFactory);
        template.setObservationEnabled(true);
        return template;
    }

    @Bean
    DeadLetters deadLetters(KafkaTemplate<byte[], byte[]> deadLetterTemplate, ProvisionerSettings settings) {
        return new DeadLetters(deadLetterTemplate, settings.kafka().groupId(), DEAD_LETTER_TIMEOUT);
    }

    @Bean
    SmartLifecycle commandConsumer(KafkaProperties spring, ProvisionerSettings settings, CommandHandler handler,
                                    DeadLetters deadLetters, Clock clock, MeterRegistry meters) {
        ProvisionerSettings.Kafka kafka = settings.kafka();
        Map<String, Object> config = KafkaClientSettings.consumer(spring, kafka.bootstrapServers(), Map.of(
                ConsumerConfig.GROUP_ID_CONFIG, kafka.groupId(),
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed"), kafka.consumer());
        KafkaClientSettings.require(config, ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "cleanup publishes its commands in transactions; a command of an aborted one must never be applied",
                "read_committed");
        CommandProcessor processor = new CommandProcessor(handler, deadLetters, clock, meters);
        return CommandConsumers.lanes(config, settings.concurrency(), kafka.pollTimeout(), processor::process);
    }
}
