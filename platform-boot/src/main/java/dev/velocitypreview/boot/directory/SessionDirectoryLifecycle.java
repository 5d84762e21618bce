package dev.velocitypreview.boot.directory;

import java.nio.file.Path;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;

import dev.velocitypreview.boot.kafka.KafkaClientSettings;
import dev.velocitypreview.boot.kafka.StreamsStateDirectory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.core.directory.DirectoryStarter;
import dev.velocitypreview.core.directory.SessionDirectory;

/**
 * Hosts a service's session directory: starts it with the application, in the background once its
 * topics exist (platform-core's {@link DirectoryStarter}, retrying while Kafka is unreachable), so the
 * service comes up and answers "not ready" until the directory has caught up; closes it on stop and
 * removes its state directory when that was a temporary one of our own.
 *
 * <p>The lifecycle owns the directory: declare the {@link SessionDirectory} bean with
 * {@code destroyMethod = ""} so that Spring does not close it a second time.
 */
public final class SessionDirectoryLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SessionDirectoryLifecycle.class);

    private final SessionDirectory directory;
    private final String applicationId;
    private final StreamsStateDirectory stateDir;
    private final DirectoryStarter starter;

    private SessionDirectoryLifecycle(DirectoryHosting hosting, Properties streamsConfig,
                                      StreamsStateDirectory stateDir) {
        this.directory = new SessionDirectory(streamsConfig);
        this.applicationId = streamsConfig.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        this.stateDir = stateDir;
        this.starter = new DirectoryStarter(directory, adminConfig(hosting.service(), streamsConfig),
                hosting.createTopics(), hosting.service() + "-session-directory-start");
    }

    /** @param spring Boot's {@code spring.kafka.*}, the first layer of the directory's Kafka Streams settings */
    public static SessionDirectoryLifecycle create(KafkaProperties spring, DirectoryHosting hosting) {
        String instanceId = hosting.instanceId() != null ? hosting.instanceId()
                : UUID.randomUUID().toString().substring(0, 8);
        StreamsStateDirectory stateDir = StreamsStateDirectory.of(hosting.stateDir(), hosting.service());
        return new SessionDirectoryLifecycle(hosting, streamsConfig(spring, hosting, instanceId, stateDir.path()),
                stateDir);
    }

    /**
     * Boot's {@code spring.kafka.streams.*}, then our typed settings, then the raw {@code streams}
     * settings last ({@link KafkaClientSettings}' order): an operator's explicit client setting always wins.
     */
    static Properties streamsConfig(KafkaProperties spring, DirectoryHosting hosting, String instanceId, Path stateDir) {
        Properties config = new Properties();
        config.putAll(KafkaClientSettings.streams(spring, hosting.bootstrapServers(), Map.of(
                StreamsConfig.APPLICATION_ID_CONFIG, hosting.applicationId() + "-" + instanceId,
                StreamsConfig.STATE_DIR_CONFIG, stateDir.toString()), hosting.streams()));
        return config;
    }

    /** The admin client that checks for (or creates) the topics connects as the directory does (security and the like). */
    static Map<String, Object> adminConfig(String service, Properties streamsConfig) {
        Map<String, Object> config = KafkaClientSettings.adminLike(streamsConfig, service + "-session-directory-topics");
        // an operator's own timeouts among the directory's settings win
        config.putIfAbsent(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        config.putIfAbsent(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        return config;
    }

    public SessionDirectory directory() {
        return directory;
    }

    @Override
    public void start() {
        starter.start();
    }

    @Override
    public void stop() {
        try {
            starter.close();
        } finally {
            directory.close();
            LOG.atInfo().addKeyValue("applicationId", applicationId).log("session directory closed");
            stateDir.removeIfTemporary();
        }
    }

    /**
     * Starts before the web server and stops after it (whose graceful shutdown lets requests in flight,
     * held ones included, finish reading the directory).
     */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public boolean isRunning() {
        return starter.isRunning();
    }
}
