package dev.velocitypreview.sessions.api;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Properties;

import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.edits.SessionEditReports;
import dev.velocitypreview.sessions.identity.SecurityForTests;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

/**
 * The API and its security without Kafka, for {@code @WebMvcTest}s: a recording publisher and a
 * real directory that is never started, i.e. still loading.
 */
@TestConfiguration(proxyBeanMethods = false)
@EnableConfigurationProperties(SessionServiceProperties.class)
@Import({ProblemResponses.class, RejectionCounting.class, SessionMetrics.class, SessionStatistics.class, SessionLookups.class,
        SessionQuotas.class, CommandSender.class, PreviewAccess.class, SessionTemplates.class, SecurityForTests.class})
class ApiSlice {

    @Bean
    RecordingCommandPublisher publisher() {
        return new RecordingCommandPublisher();
    }

    @Bean(destroyMethod = "close")
    SessionDirectory directory() throws IOException {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "session-api-test");
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "127.0.0.1:9");
        config.put(StreamsConfig.STATE_DIR_CONFIG, Files.createTempDirectory("session-api-test").toString());
        // never started, but its admin client would still try the (absent) broker every second
        config.put(StreamsConfig.adminClientPrefix("reconnect.backoff.ms"), "3600000");
        config.put(StreamsConfig.adminClientPrefix("reconnect.backoff.max.ms"), "3600000");
        return new SessionDirectory(config);
    }

    @Bean
    SessionEditReports sessionEditReports() {
        return new SessionEditReports();
    }

    @Bean
    MeterRegistry meterRegistry() {
        return new SimpleMeterRegistry();
    }
}
