package dev.velocitypreview.sessions.directory;

import java.time.Clock;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.boot.directory.ChangelogLag;
import dev.velocitypreview.boot.directory.DirectoryHosting;
import dev.velocitypreview.boot.directory.SessionDirectoryHealthIndicator;
import dev.velocitypreview.boot.directory.SessionDirectoryLifecycle;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.sessions.SessionServiceProperties;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The view that answers reads, hosted as every service hosts its session directory (platform-boot):
 * started once its topics exist (created when missing, unless turned off), closed with the
 * application, its health in the readiness group.
 */
@Configuration(proxyBeanMethods = false)
class SessionDirectoryConfiguration {

    @Bean
    SessionDirectoryLifecycle sessionDirectoryLifecycle(KafkaProperties spring, SessionServiceProperties properties) {
        SessionServiceProperties.Directory directory = properties.directory();
        SessionServiceProperties.Kafka kafka = properties.kafka();
        return SessionDirectoryLifecycle.create(spring, new DirectoryHosting("session-service", directory.applicationId(),
                directory.instanceId(), kafka.bootstrapServers(), directory.stateDir(), kafka.streams(),
                kafka.createTopics()));
    }

    // The lifecycle closes the directory on stop; Spring must not close it a second time.
    @Bean(destroyMethod = "")
    SessionDirectory sessionDirectory(SessionDirectoryLifecycle lifecycle) {
        return lifecycle.directory();
    }

    /** Changelog lag, commit to this directory ({@code docs/metrics.md}). */
    @Bean
    ChangelogLag changelogLag(SessionDirectory directory, MeterRegistry registry, Clock clock) {
        return ChangelogLag.measure(directory, clock, registry);
    }

    @Bean
    SessionDirectoryHealthIndicator sessionDirectoryHealthIndicator(SessionDirectory directory) {
        return new SessionDirectoryHealthIndicator(directory);
    }
}
