package dev.velocitypreview.cleanup;

import org.apache.kafka.streams.KafkaStreams;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;

/**
 * Cleanup's health, for the readiness group: UP while its streams run (or rebalance); OUT_OF_SERVICE while
 * they wait for their topics or start; DOWN when they died or cleanup refused a topic, with the reason.
 */
final class CleanupHealthIndicator implements HealthIndicator {

    private final StreamsBuilderFactoryBean factory;
    private final CleanupStreams streams;

    CleanupHealthIndicator(StreamsBuilderFactoryBean factory, CleanupStreams streams) {
        this.factory = factory;
        this.streams = streams;
    }

    @Override
    public Health health() {
        String refused = streams.refused();
        if (refused != null) {
            return Health.down().withDetail("reason", refused).build();
        }
        KafkaStreams kafkaStreams = factory.getKafkaStreams();
        if (kafkaStreams == null) {
            return Health.outOfService().withDetail("reason", "waiting for the cleanup topics").build();
        }
        KafkaStreams.State state = kafkaStreams.state();
        Health.Builder health = switch (state) {
            case RUNNING, REBALANCING -> Health.up();
            case CREATED -> Health.outOfService();
            default -> Health.down();
        };
        return health.withDetail("state", state.name()).build();
    }
}
