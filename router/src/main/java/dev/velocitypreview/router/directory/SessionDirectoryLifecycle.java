package dev.velocitypreview.router.directory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.streams.StreamsConfig;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.router.RouterProperties;

/**
 * Starts the session directory when the application starts and closes it when it stops; removes the
 * state directory afterwards when it was a temporary one of our own.
 */
final class SessionDirectoryLifecycle implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(SessionDirectoryLifecycle.class);

    private final SessionDirectory directory;
    private final String applicationId;
    private final @Nullable Path temporaryStateDir;
    private volatile boolean running;

    private SessionDirectoryLifecycle(SessionDirectory directory, String applicationId, @Nullable Path temporaryStateDir) {
        this.directory = directory;
        this.applicationId = applicationId;
        this.temporaryStateDir = temporaryStateDir;
    }

    static SessionDirectoryLifecycle create(RouterProperties.Kafka kafka) {
        String instanceId = kafka.instanceId() != null ? kafka.instanceId() : UUID.randomUUID().toString().substring(0, 8);
        Path temporary = kafka.stateDir() == null ? createTemporaryStateDir() : null;
        Properties config = streamsConfig(kafka, instanceId, temporary != null ? temporary : kafka.stateDir());
        return new SessionDirectoryLifecycle(new SessionDirectory(config), config.getProperty(StreamsConfig.APPLICATION_ID_CONFIG), temporary);
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

    SessionDirectory directory() {
        return directory;
    }

    @Override
    public void start() {
        LOG.atInfo().addKeyValue("applicationId", applicationId).log("starting session directory");
        directory.start();
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        directory.close();
        LOG.atInfo().addKeyValue("applicationId", applicationId).log("session directory closed");
        if (temporaryStateDir != null) {
            deleteRecursively(temporaryStateDir);
        }
    }

    @Override
    public boolean isRunning() {
        return running;
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
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("stateDir", root).setCause(e).log("could not remove temporary state directory");
        }
    }
}
