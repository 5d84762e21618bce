package dev.velocitypreview.sessions.directory;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import dev.velocitypreview.core.directory.DirectoryStarter;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.sessions.SessionServiceProperties;

/** The view that answers reads, and what starts it once its topics exist. */
@Configuration(proxyBeanMethods = false)
class SessionDirectoryConfiguration {

    @Bean(destroyMethod = "close")
    SessionDirectory sessionDirectory(SessionServiceProperties properties) {
        return new SessionDirectory(streamsConfig(properties));
    }

    @Bean
    SessionDirectoryStarter sessionDirectoryStarter(SessionDirectory directory, SessionServiceProperties properties) {
        return new SessionDirectoryStarter(new DirectoryStarter(directory, adminConfig(properties),
                properties.kafka().createTopics(), "session-directory-start"));
    }

    @Bean
    SessionDirectoryHealthIndicator sessionDirectoryHealthIndicator(SessionDirectory directory) {
        return new SessionDirectoryHealthIndicator(directory);
    }

    static Properties streamsConfig(SessionServiceProperties properties) {
        SessionServiceProperties.Directory directory = properties.directory();
        String instance = directory.instanceId() != null ? directory.instanceId()
                : UUID.randomUUID().toString().substring(0, 8);
        Path stateDir = directory.stateDir() != null ? directory.stateDir()
                : Path.of(System.getProperty("java.io.tmpdir"), "velocity-session-service");
        Properties config = new Properties();
        config.putAll(properties.kafka().streams());
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, directory.applicationId() + "-" + instance);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        return config;
    }

    /** Topic setup uses the producer's client settings (security and the like) that an admin client knows. */
    static Map<String, Object> adminConfig(SessionServiceProperties properties) {
        Map<String, Object> config = new HashMap<>();
        properties.kafka().producer().forEach((key, value) -> {
            if (AdminClientConfig.configNames().contains(key)) {
                config.put(key, value);
            }
        });
        config.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, properties.kafka().bootstrapServers());
        config.put(AdminClientConfig.CLIENT_ID_CONFIG, "session-service-topics");
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        return config;
    }
}
