package dev.velocitypreview.boot.kafka;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;

import org.apache.kafka.clients.CommonClientConfigs;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.Serializer;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;

import dev.velocitypreview.core.topic.Topic;

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
     * The typed settings of a producer named {@code clientId} whose every send a caller waits for: stored on every
     * in-sync replica, sent at once, and never blocking or retrying longer than {@code timeout}. A map the caller may
     * add to.
     */
    public static Map<String, Object> acknowledgedWithin(String clientId, Duration timeout) {
        int timeoutMs = (int) timeout.toMillis();
        Map<String, Object> typed = new HashMap<>();
        typed.put(ProducerConfig.CLIENT_ID_CONFIG, clientId);
        typed.put(ProducerConfig.ACKS_CONFIG, "all");
        typed.put(ProducerConfig.LINGER_MS_CONFIG, 0);
        typed.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, timeoutMs);
        typed.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, timeoutMs);
        // delivery.timeout.ms must be >= linger.ms + request.timeout.ms
        typed.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, Math.min(timeoutMs, 30_000));
        return typed;
    }

    /**
     * An admin client that connects as {@code client} does (brokers, security, SSL and the like: the settings
     * of {@code client} an admin client knows), named {@code clientId}. The caller adds its own timeouts.
     */
    public static Map<String, Object> adminLike(Map<?, ?> client, String clientId) {
        Set<String> known = AdminClientConfig.configNames();
        Map<String, Object> config = new HashMap<>();
        client.forEach((key, value) -> {
            if (known.contains(key.toString())) {
                config.put(key.toString(), value);
            }
        });
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, clientId);
        return config;
    }

    /**
     * A producer factory for {@code topic}'s records, with the topic's serializers and Boot's producer
     * factory customizers applied (they add the Micrometer producer listener, as Boot would to its own factory).
     */
    public static <K, V> DefaultKafkaProducerFactory<K, V> producerFactory(
            Map<String, Object> config, Topic<K, V> topic,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        return producerFactory(config, topic.keySerde().serializer(), topic.valueSerde().serializer(), customizers);
    }

    /** As {@link #producerFactory(Map, Topic, ObjectProvider)}, with serializers of the caller's choosing. */
    public static <K, V> DefaultKafkaProducerFactory<K, V> producerFactory(
            Map<String, Object> config, Serializer<K> keys, Serializer<V> values,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        DefaultKafkaProducerFactory<K, V> factory = new DefaultKafkaProducerFactory<>(config, keys, values);
        customizers.orderedStream().forEach(customizer -> customizer.customize(factory));
        return factory;
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
