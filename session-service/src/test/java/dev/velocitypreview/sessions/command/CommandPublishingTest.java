package dev.velocitypreview.sessions.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.TestTokens;

class CommandPublishingTest {

    private static SessionServiceProperties bind(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(settings);
        all.put("velocity.session-service.auth.hs256-secret", TestTokens.SECRET);
        return new Binder(new MapConfigurationPropertySource(all))
                .bindOrCreate("velocity.session-service", SessionServiceProperties.class);
    }

    private static KafkaProperties spring(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings)).bindOrCreate("spring.kafka", KafkaProperties.class);
    }

    @Test
    void springKafkaSettingsComeFirstThenTheServiceThenItsRawOverrides() {
        Map<String, Object> config = CommandPublishing.producerConfig(spring(Map.of(
                        "spring.kafka.bootstrap-servers", "ignored:9092",
                        "spring.kafka.security.protocol", "SSL",
                        "spring.kafka.producer.acks", "1",
                        "spring.kafka.producer.compression-type", "gzip")),
                bind(Map.of(
                        "velocity.session-service.kafka.bootstrap-servers", "broker:9092",
                        "velocity.session-service.send-timeout", "3s",
                        "velocity.session-service.kafka.producer.linger.ms", "5",
                        "velocity.session-service.kafka.producer.compression.type", "zstd")));

        assertThat(config)
                .containsEntry(CommonClientConfigs.SECURITY_PROTOCOL_CONFIG, "SSL")
                .containsEntry(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, "broker:9092")
                .containsEntry(ProducerConfig.ACKS_CONFIG, "all")
                .containsEntry(ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true)
                .containsEntry(ProducerConfig.MAX_BLOCK_MS_CONFIG, 3000)
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 3000)
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 3000)
                .containsEntry(ProducerConfig.LINGER_MS_CONFIG, "5")
                .containsEntry(ProducerConfig.COMPRESSION_TYPE_CONFIG, "zstd");
    }

    @Test
    void anOverrideThatWouldWeakenWhatA202PromisesIsRefusedAtStartup() {
        assertThatThrownBy(() -> CommandPublishing.producerConfig(spring(Map.of()), bind(Map.of(
                "velocity.session-service.kafka.producer.acks", "0"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("acks=0")
                .hasMessageContaining("every in-sync replica");
        assertThatThrownBy(() -> CommandPublishing.producerConfig(spring(Map.of()), bind(Map.of(
                "velocity.session-service.kafka.producer.enable.idempotence", "false"))))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("enable.idempotence=false");
    }

    @Test
    void requestTimeoutStaysWithinTheDeliveryTimeoutKafkaRequiresForLongSendTimeouts() {
        Map<String, Object> config = CommandPublishing.producerConfig(spring(Map.of()), bind(Map.of(
                "velocity.session-service.send-timeout", "2m")));

        assertThat(config)
                .containsEntry(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 120_000)
                .containsEntry(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 30_000);
    }
}
