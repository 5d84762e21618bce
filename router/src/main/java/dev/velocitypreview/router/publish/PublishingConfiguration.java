package dev.velocitypreview.router.publish;

import java.time.Clock;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.DefaultKafkaProducerFactoryCustomizer;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.core.KafkaTemplate;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.router.RouterProperties;

/** The router's two producers (activity, RESUME commands), laid out by {@link KafkaClientSettings}. */
@Configuration(proxyBeanMethods = false)
class PublishingConfiguration {

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<String, SessionCommand> commandProducerFactory(
            KafkaProperties spring, RouterProperties properties,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        return KafkaClientSettings.producerFactory(commandProducerConfig(spring, properties), Topics.SESSION_COMMANDS,
                customizers);
    }

    // templates as beans, as Boot's would be (Boot's own then stands back; it would want a factory of its own)
    @Bean
    KafkaTemplate<String, SessionCommand> commandTemplate(
            DefaultKafkaProducerFactory<String, SessionCommand> commandProducerFactory) {
        KafkaTemplate<String, SessionCommand> template = new KafkaTemplate<>(commandProducerFactory);
        template.setObservationEnabled(true);
        return template;
    }

    @Bean
    KafkaTemplate<String, SessionActivity> activityTemplate(
            DefaultKafkaProducerFactory<String, SessionActivity> activityProducerFactory) {
        KafkaTemplate<String, SessionActivity> template = new KafkaTemplate<>(activityProducerFactory);
        // one way of timing sends for both templates: their meters share a name, which Prometheus needs to agree
        template.setObservationEnabled(true);
        return template;
    }

    @Bean
    KafkaResumeSender resumeSender(KafkaTemplate<String, SessionCommand> commandTemplate) {
        return new KafkaResumeSender(commandTemplate);
    }

    @Bean(destroyMethod = "destroy")
    DefaultKafkaProducerFactory<String, SessionActivity> activityProducerFactory(
            KafkaProperties spring, RouterProperties properties,
            ObjectProvider<DefaultKafkaProducerFactoryCustomizer> customizers) {
        return KafkaClientSettings.producerFactory(activityProducerConfig(spring, properties), Topics.SESSION_ACTIVITY,
                customizers);
    }

    @Bean
    SessionsInUse sessionsInUse(MeterRegistry registry) {
        return new SessionsInUse(Clock.systemUTC(), ActivityPublisher.records(registry, "overflow"));
    }

    @Bean
    ActivityPublisher activityPublisher(SessionsInUse inUse, KafkaTemplate<String, SessionActivity> activityTemplate,
                                        KafkaProperties spring, RouterProperties properties, MeterRegistry registry) {
        return new ActivityPublisher(inUse, activityTemplate,
                adminConfig(activityProducerConfig(spring, properties)), properties.activity().interval(), registry);
    }

    /**
     * A RESUME is a command like the API's: stored on every in-sync replica exactly once. An override that would
     * break that is refused at start.
     */
    static Map<String, Object> commandProducerConfig(KafkaProperties spring, RouterProperties properties) {
        Map<String, Object> config = KafkaClientSettings.producer(spring, properties.kafka().bootstrapServers(), Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "router-commands",
                ProducerConfig.ACKS_CONFIG, "all",
                ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, true,
                ProducerConfig.LINGER_MS_CONFIG, 0,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 5_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 15_000), properties.kafka().producer());
        String why = "a RESUME is a command: stored on every in-sync replica exactly once";
        KafkaClientSettings.require(config, ProducerConfig.ACKS_CONFIG, why, "all", "-1");
        KafkaClientSettings.require(config, ProducerConfig.ENABLE_IDEMPOTENCE_CONFIG, why, "true");
        return config;
    }

    /**
     * Activity is best effort and never waited for: a send that cannot get metadata gives up after a second, one
     * the broker does not acknowledge within a few seconds is dropped (the next interval brings a newer one).
     */
    static Map<String, Object> activityProducerConfig(KafkaProperties spring, RouterProperties properties) {
        return KafkaClientSettings.producer(spring, properties.kafka().bootstrapServers(), Map.of(
                ProducerConfig.CLIENT_ID_CONFIG, "router-activity",
                ProducerConfig.LINGER_MS_CONFIG, 20,
                ProducerConfig.MAX_BLOCK_MS_CONFIG, 1_000,
                ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, 5_000,
                ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, 10_000), properties.kafka().producer());
    }

    /** The admin client that looks for the activity topic connects as the activity producer does (security and the like). */
    static Map<String, Object> adminConfig(Map<String, Object> producerConfig) {
        Map<String, Object> config = KafkaClientSettings.adminLike(producerConfig, "router-activity-topic");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, 2_000);
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, 2_000);
        return config;
    }
}
