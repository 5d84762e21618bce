package dev.velocitypreview.router.directory;

import java.time.Clock;

import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.boot.directory.ChangelogLag;
import dev.velocitypreview.boot.directory.DirectoryHosting;
import dev.velocitypreview.boot.directory.SessionDirectoryHealthIndicator;
import dev.velocitypreview.boot.directory.SessionDirectoryLifecycle;
import dev.velocitypreview.core.directory.SessionDirectory;
import io.micrometer.core.instrument.MeterRegistry;
import dev.velocitypreview.router.RouterProperties;

/**
 * The router's one session directory, hosted as every service hosts it (platform-boot): started and
 * closed with the application, its health in the readiness group. The router only reads the session
 * topics; their writers create them.
 */
@Configuration(proxyBeanMethods = false)
class SessionDirectoryConfiguration {

    @Bean
    SessionDirectoryLifecycle sessionDirectoryLifecycle(KafkaProperties spring, RouterProperties properties) {
        RouterProperties.Kafka kafka = properties.kafka();
        return SessionDirectoryLifecycle.create(spring, new DirectoryHosting("router", kafka.applicationId(),
                kafka.instanceId(), kafka.bootstrapServers(), kafka.stateDir(), kafka.streams(), false));
    }

    // The lifecycle closes the directory on stop; Spring must not close it a second time.
    @Bean(destroyMethod = "")
    SessionDirectory sessionDirectory(SessionDirectoryLifecycle lifecycle) {
        return lifecycle.directory();
    }

    /** Changelog lag, commit to this directory ({@code docs/metrics.md}). */
    @Bean
    ChangelogLag changelogLag(SessionDirectory directory, MeterRegistry registry) {
        return ChangelogLag.measure(directory, Clock.systemUTC(), registry);
    }

    @Bean
    SessionDirectoryHealthIndicator sessionDirectoryHealthIndicator(SessionDirectory directory) {
        return new SessionDirectoryHealthIndicator(directory);
    }
}
