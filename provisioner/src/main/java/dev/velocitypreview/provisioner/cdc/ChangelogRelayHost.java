package dev.velocitypreview.provisioner.cdc;

import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;

import dev.velocitypreview.cdc.ChangelogRelay;
import dev.velocitypreview.cdc.ChangelogRelaySettings;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Hosts the CDC relay in the provisioner process. It starts once the context is up, which is
 * after Flyway created the captured tables ({@code preview_sessions}, {@code project_files}): a filtered
 * publication cannot include a table that does not exist yet.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties(ChangelogSettings.class)
class ChangelogRelayHost {

    @Bean
    RelayLifecycle changelogRelay(ChangelogSettings cdc, ProvisionerSettings provisioner, Environment env,
                                  MeterRegistry meters) {
        ChangelogRelay relay = new ChangelogRelay(ChangelogRelaySettings.builder(
                        env.getRequiredProperty("spring.datasource.url"),
                        env.getRequiredProperty("spring.datasource.username"),
                        env.getProperty("spring.datasource.password", ""))
                .bootstrapServers(provisioner.kafka().bootstrapServers())
                .slotName(cdc.slotName())
                .publicationName(cdc.publicationName())
                .pollInterval(cdc.pollInterval())
                .heartbeatInterval(cdc.heartbeatInterval())
                .offsetFlushInterval(cdc.offsetFlushInterval())
                .sessionsTopicPartitions(cdc.sessionsTopicPartitions())
                .projectFilesTopicPartitions(cdc.projectFilesTopicPartitions())
                .projectFilesRetention(cdc.projectFilesRetention())
                .replicationFactor(cdc.replicationFactor())
                .standbyRetry(cdc.standbyRetry())
                .producerOverrides(cdc.producer())
                .engineOverrides(cdc.engine())
                .build());
        Gauge.builder("velocity.cdc.streaming", relay, r -> r.isStreaming() ? 1 : 0)
                .description("1 while this process's relay streams from the replication slot").register(meters);
        // counts only grow: counters, so that a scraper can take their rate
        FunctionCounter.builder("velocity.cdc.records.relayed", relay, ChangelogRelay::recordsRelayed)
                .description("changes Kafka acknowledged (session rows and project file notices)").register(meters);
        Gauge.builder("velocity.cdc.lag", relay, ChangelogRelay::lastRelayLagMillis).baseUnit("milliseconds")
                .description("commit to acknowledged time of the newest relayed change").register(meters);
        FunctionCounter.builder("velocity.cdc.restarts", relay, ChangelogRelay::restarts)
                .description("engine restarts after an error").register(meters);
        return new RelayLifecycle(relay, cdc.enabled());
    }

    /** Starts the relay with the context and closes it (flushing offsets) when the context stops. */
    static final class RelayLifecycle implements SmartLifecycle {
        private final ChangelogRelay relay;
        private final boolean enabled;
        private volatile boolean running;

        RelayLifecycle(ChangelogRelay relay, boolean enabled) {
            this.relay = relay;
            this.enabled = enabled;
        }

        ChangelogRelay relay() {
            return relay;
        }

        @Override
        public void start() {
            if (enabled) {
                relay.start();
            }
            running = true;
        }

        @Override
        public void stop() {
            relay.close();
            running = false;
        }

        @Override
        public boolean isRunning() {
            return running;
        }
    }
}
