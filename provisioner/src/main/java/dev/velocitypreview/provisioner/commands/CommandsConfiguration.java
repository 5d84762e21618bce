package dev.velocitypreview.provisioner.commands;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.provisioner.ProvisionerSettings;
import io.micrometer.core.instrument.MeterRegistry;

@Configuration(proxyBeanMethods = false)
class CommandsConfiguration {

    @Bean(destroyMethod = "close")
    DeadLetters deadLetters(ProvisionerSettings settings, Clock clock) {
        Map<String, Object> config = new HashMap<>(settings.kafka().producer());
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka().bootstrapServers());
        config.putIfAbsent(ProducerConfig.ACKS_CONFIG, "all");
        config.putIfAbsent(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, "true");
        return new DeadLetters(new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer()), clock);
    }

    @Bean
    SmartLifecycle commandConsumer(ProvisionerSettings settings, CommandHandler handler, DeadLetters deadLetters,
                                   Clock clock, MeterRegistry meters) {
        ProvisionerSettings.Kafka kafka = settings.kafka();
        Map<String, Object> config = new HashMap<>(kafka.consumer());
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, kafka.groupId());
        config.putIfAbsent(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
        CommandProcessor processor = new CommandProcessor(handler, deadLetters, clock, meters);
        return CommandConsumers.lanes(config, settings.concurrency(), kafka.pollTimeout(), processor::process);
    }
}
