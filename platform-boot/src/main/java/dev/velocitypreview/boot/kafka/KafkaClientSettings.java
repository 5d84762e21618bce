package dev.velocitypreview.boot.kafka;

import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.CommonClientConfigs;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

/**
 * The settings of one Kafka client of a service, always laid in the same order, the one Spring
 * Boot's {@link KafkaProperties} uses: Boot's own {@code spring.kafka.*} first (security, SSL,
 * client properties shared by every client of the process), then what the service's typed
 * settings decide ({@code velocity.<service>.kafka.*}: the brokers, and what the service's
 * promises depend on), then the service's raw overrides for that client, last, so an operator can
 * always reach any client setting. A service that cannot keep a promise under some override
 * checks the result with {@link #require}.
 */
public final class KafkaClientSettings {

    private KafkaClientSettings() {
    }

    /** A producer: {@code spring.kafka.producer.*} and {@code spring.kafka.properties.*}, then typed, then raw. */
    public static Map<String, Object> producer(KafkaProperties spring, String bootstrapServers,
                                               Map<String, ?> typed, Map<String, ?> raw) {
        return layered(spring.buildProducerProperties(), bootstrapServers, typed, raw);
    }

    /** A consumer: {@code spring.kafka.consumer.*} and {@code spring.kafka.properties.*}, then typed, then raw. */
    public static Map<String, Object> consumer(KafkaProperties spring, String bootstrapServers,
                                               Map<String, ?> typed, Map<String, ?> raw) {
        return layered(spring.buildConsumerProperties(), bootstrapServers, typed, raw);
    }

    /** A Kafka Streams application: {@code spring.kafka.streams.*} and {@code spring.kafka.properties.*}, then typed, then raw. */
    public static Map<String, Object> streams(KafkaProperties spring, String bootstrapServers,
                                              Map<String, ?> typed, Map<String, ?> raw) {
        return layered(spring.buildStreamsProperties(), bootstrapServers, typed, raw);
    }

    /**
     * Refuses a configuration in which {@code key} does not hold one of the {@code allowed} values
     * (compared as text), naming the setting that was overridden and why it matters.
     *
     * @throws IllegalStateException when it does not
     */
    public static void require(Map<String, Object> config, String key, String why, String... allowed) {
        Object value = config.get(key);
        String text = value == null ? null : value.toString();
        for (String candidate : allowed) {
            if (candidate.equalsIgnoreCase(text)) {
                return;
            }
        }
        throw new IllegalStateException("kafka client setting " + key + "=" + text + " is not allowed here, it must be "
                + String.join(" or ", allowed) + ": " + why);
    }

    private static Map<String, Object> layered(Map<String, Object> boot, String bootstrapServers,
                                               Map<String, ?> typed, Map<String, ?> raw) {
        Map<String, Object> config = new HashMap<>(boot);
        // the service's own brokers setting always names the cluster (it has a default of its own)
        config.put(CommonClientConfigs.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.putAll(typed);
        config.putAll(raw);
        return config;
    }
}
