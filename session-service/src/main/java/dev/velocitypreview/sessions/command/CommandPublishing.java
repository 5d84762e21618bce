package dev.velocitypreview.sessions.command;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.SessionServiceProperties;
import io.micrometer.core.instrument.MeterRegistry;

/** The Kafka producer behind {@link CommandPublisher}. */
@Configuration(proxyBeanMethods = false)
class CommandPublishing {

    @Bean(destroyMethod = "close")
    KafkaCommandPublisher commandPublisher(SessionServiceProperties properties, MeterRegistry registry) {
        return new KafkaCommandPublisher(
                new KafkaProducer<>(producerConfig(properties),
                        Topics.SESSION_COMMANDS.keySerde().serializer(),
                        Topics.SESSION_COMMANDS.valueSerde().serializer()),
                properties.sendTimeout(), registry);
    }

    /**
     * The raw settings first, then what the API's promise depends on: a 202 means the command is
     * on every in-sync replica exactly once, and no request waits longer than the send timeout.
     */
    static Map<String, Object> producerConfig(SessionServiceProperties properties) {
        Map<String, Object> config = new HashMap<>(properties.kafka().producer());
        config.putIfAbsent(ProducerConfig.CLIENT_ID_CONFIG, "session-service-commands");
        config.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(ProducerConfig.ACKS_CONFIG, "all");
        config.put(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true);
        config.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        int timeoutMs = (int) properties.sendTimeout().toMillis();
        config.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        config.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        // delivery.timeout.ms must be >= linger.ms + request.timeout.ms
        config.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        return config;
    }
}
