package dev.velocitypreview.router.directory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.core.directory.DirectoryStarter;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.router.RouterProperties;

/**
 * Starts the session directory with the application, in the background once its topics exist (a global
 * store cannot start on a missing topic; the router only reads them, their writers create them), retrying
 * while Kafka is unreachable, so the router comes up and answers 503 until it has caught up. Closes the
 * directory on stop and removes its state directory when that was a temporary one of our own.
 */
final class SessionDirectoryLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SessionDirectoryLifecycle.class);

    private final SessionDirectory directory;
    private final String applicationId;
    private final @Nullable Path temporaryStateDir;
    // the router only reads the session topics; their writers create them
    private final DirectoryStarter starter;

    private SessionDirectoryLifecycle(Properties streamsConfig, @Nullable Path temporaryStateDir) {
        this.directory = new SessionDirectory(streamsConfig);
        this.applicationId = streamsConfig.getProperty(StreamsConfig.APPLICATION_ID_CONFIG);
        this.temporaryStateDir = temporaryStateDir;
        this.starter = new DirectoryStarter(directory, adminConfig(streamsConfig), false, "router-session-directory-start");
    }

    static SessionDirectoryLifecycle create(RouterProperties.Kafka kafka) {
        String instanceId = kafka.instanceId() != null ? kafka.instanceId() : UUID.randomUUID().toString().substring(0, 8);
        Path temporary = kafka.stateDir() == null ? createTemporaryStateDir() : null;
        Path stateDir = temporary != null ? temporary : kafka.stateDir();
        return new SessionDirectoryLifecycle(streamsConfig(kafka, instanceId, stateDir), temporary);
    }

    /**
     * Each router is its own Kafka Streams application: the directory's topology has only global stores,
     * so instances share no partitions and must not share an application id or a state directory.
     */
    static Properties streamsConfig(RouterProperties.Kafka kafka, String instanceId, Path stateDir) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, kafka.applicationId() + "-" + instanceId);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        config.putAll(kafka.streams());
        return config;
    }

    /** The admin client that checks for the topics uses the same connection settings (security and the like). */
    private static Map<String, Object> adminConfig(Properties streamsConfig) {
        Set<String> known = AdminClientConfig.configNames();
        Map<String, Object> config = new HashMap<>();
        config.put(AdminClientConfig.REQUEST_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        config.put(AdminClientConfig.DEFAULT_API_TIMEOUT_MS_CONFIG, (int) DirectoryStarter.ATTEMPT_TIMEOUT.toMillis());
        streamsConfig.forEach((key, value) -> {
            if (known.contains(key.toString())) {
                config.put(key.toString(), value);
            }
        });
        return config;
    }

    SessionDirectory directory() {
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
            if (temporaryStateDir != null) {
                deleteRecursively(temporaryStateDir);
            }
        }
    }

    /** Stops after the web server (whose graceful shutdown lets held requests finish), starts before it. */
    @Override
    public int getPhase() {
        return SmartLifecycle.DEFAULT_PHASE - 4096;
    }

    @Override
    public boolean isRunning() {
        return starter.isRunning();
    }

    private static Path createTemporaryStateDir() {
        try {
            return Files.createTempDirectory("velocity-router-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary Kafka Streams state directory", e);
        }
    }

    private static void deleteRecursively(Path root) {
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.deleteIfExists(path);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            });
        } catch (IOException | UncheckedIOException e) {
            LOG.atWarn().addKeyValue("stateDir", root).addKeyValue("error", e.toString())
                    .log("could not remove the temporary state directory");
        }
    }
}
