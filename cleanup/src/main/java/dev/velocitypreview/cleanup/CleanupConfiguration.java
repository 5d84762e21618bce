package dev.velocitypreview.cleanup;

import java.nio.file.Path;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

import io.micrometer.core.instrument.MeterRegistry;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.errors.LogAndContinueExceptionHandler;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.kafka.config.KafkaStreamsConfiguration;
import org.springframework.kafka.config.KafkaStreamsInfrastructureCustomizer;
import org.springframework.kafka.config.StreamsBuilderFactoryBean;
import org.springframework.kafka.streams.KafkaStreamsMicrometerListener;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.boot.kafka.StreamsStateDirectory;
import dev.velocitypreview.core.directory.DirectoryStarter;
import dev.velocitypreview.machines.MachineInventory;
import dev.velocitypreview.machines.fly.FlyMachineInventory;
import dev.velocitypreview.machines.local.LocalMachineInventory;

/**
 * Cleanup's wiring: the streams application on spring-kafka's {@link StreamsBuilderFactoryBean} (its
 * lifecycle, close timeout, leaving the group on close and Micrometer binding), whose topology
 * {@link CleanupTopology} adds; started by {@link CleanupStreams} once the topics are ready rather than by the
 * factory bean itself, because co-partitioned topics must exist, with the right partition count, before a
 * streams application may subscribe to them.
 */
@Configuration(proxyBeanMethods = false)
class CleanupConfiguration {

    private static final Logger LOG = LoggerFactory.getLogger(CleanupConfiguration.class);

    @Bean
    CleanupMetrics cleanupMetrics(MeterRegistry registry) {
        return new CleanupMetrics(registry);
    }

    @Bean
    StreamsBuilderFactoryBean cleanupStreamsBuilder(KafkaProperties spring, CleanupSettings settings,
                                                    StreamsStateDirectory stateDir) {
        StreamsBuilderFactoryBean factory = new StreamsBuilderFactoryBean(
                new KafkaStreamsConfiguration(streamsConfig(spring, settings, stateDir.path())));
        factory.setAutoStartup(false);
        factory.setLeaveGroupOnClose(true);
        // a stream thread that failed (a broker refusing a write, say) is replaced, its tasks restored from their
        // changelogs, rather than leaving the instance without cleanup until someone restarts it
        factory.setStreamsUncaughtExceptionHandler(exception -> {
            LOG.atError().addKeyValue("error", exception.toString()).log("cleanup stream thread failed, replacing it");
            return StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse.REPLACE_THREAD;
        });
        return factory;
    }

    /** The Kafka Streams settings: Boot's {@code spring.kafka.streams.*}, then ours, then the raw overrides. */
    static Map<String, Object> streamsConfig(KafkaProperties spring, CleanupSettings settings, Path stateDir) {
        CleanupSettings.Kafka kafka = settings.kafka();
        Map<String, Object> typed = new HashMap<>();
        typed.put(StreamsConfig.APPLICATION_ID_CONFIG, kafka.applicationId());
        typed.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        typed.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
        // a row or an activity record cleanup cannot read is skipped (logged), not a reason to stop every cleanup
        typed.put(StreamsConfig.DESERIALIZATION_EXCEPTION_HANDLER_CLASS_CONFIG, LogAndContinueExceptionHandler.class.getName());
        Map<String, Object> config = KafkaClientSettings.streams(spring, kafka.bootstrapServers(), typed, kafka.streams());
        KafkaClientSettings.require(config, StreamsConfig.PROCESSING_GUARANTEE_CONFIG,
                "a command and the store update that remembers it was issued must commit together, or a failover "
                        + "issues it twice or never", StreamsConfig.EXACTLY_ONCE_V2);
        return config;
    }

    @Bean
    StreamsStateDirectory cleanupStateDir(CleanupSettings settings) {
        return StreamsStateDirectory.of(settings.kafka().stateDir(), "cleanup");
    }

    @Bean
    CleanupStreams cleanupStreams(StreamsBuilderFactoryBean factory, CleanupSettings settings,
                                  ObjectProvider<Clock> givenClock, CleanupMetrics metrics, MeterRegistry registry,
                                  ObjectProvider<MachineInventory> given, StreamsStateDirectory stateDir) {
        // a test hands its clock and machines in (CleanupApplication.start); otherwise the system's and the configured
        Clock clock = givenClock.getIfAvailable(Clock::systemUTC);
        MachineInventory inventory = given.getIfAvailable(() -> inventoryOf(settings.machines()));
        MachineListings listings = inventory == null ? null : new MachineListings(inventory, clock, metrics);
        CleanupStreams[] started = new CleanupStreams[1];
        CleanupProcessor.Settings processor = new CleanupProcessor.Settings(settings.tick(), settings.suspendedTimeout(),
                settings.retention(), settings.orphanGrace(), settings.orphanInterval(), clock, listings, metrics,
                () -> started[0].partitions());
        factory.setInfrastructureCustomizer(new KafkaStreamsInfrastructureCustomizer() {
            @Override
            public void configureTopology(Topology topology) {
                CleanupTopology.addTo(topology, processor);
            }
        });
        factory.addListener(new KafkaStreamsMicrometerListener(registry));
        started[0] = new CleanupStreams(factory, adminConfig(factory.getStreamsConfiguration()),
                settings.kafka().createTopics(), stateDir,
                given.getIfAvailable() == null ? inventory : null);
        return started[0];
    }

    @Bean
    CleanupHealthIndicator cleanupHealthIndicator(StreamsBuilderFactoryBean factory, CleanupStreams streams) {
        return new CleanupHealthIndicator(factory, streams);
    }

    /** The configured inventory; null for {@code none}. */
    private static @Nullable MachineInventory inventoryOf(CleanupSettings.Machines machines) {
        return switch (machines.inventory()) {
            case LOCAL -> new LocalMachineInventory(machines.local().rootDir());
            case FLY -> new FlyMachineInventory(machines.fly().baseUrl(), machines.fly().token(), machines.fly().app());
            case NONE -> null;
        };
    }

    /** The admin client that prepares the topics connects as the streams do (security and the like). */
    private static Map<String, Object> adminConfig(java.util.Properties streamsConfig) {
        Map<String, Object> config = KafkaClientSettings.adminLike(streamsConfig, "cleanup-topics");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        return config;
    }
}
