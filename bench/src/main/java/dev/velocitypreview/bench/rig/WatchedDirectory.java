package dev.velocitypreview.bench.rig;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;

import dev.velocitypreview.core.directory.DirectoryStarter;
import dev.velocitypreview.core.directory.SessionDirectory;

/**
 * The bench's own {@link SessionDirectory}: the same stores and waiters the router uses, fed by the rig's broker,
 * so the bench can wait for a session's state without polling anything.
 */
public final class WatchedDirectory implements AutoCloseable {

    private final SessionDirectory directory;
    private final DirectoryStarter starter;

    private WatchedDirectory(SessionDirectory directory, DirectoryStarter starter) {
        this.directory = directory;
        this.starter = starter;
    }

    /** Starts the directory and returns once it has caught up with its topics. */
    public static WatchedDirectory start(String bootstrapServers, Path stateDir, String applicationId, Duration max) {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, applicationId);
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers);
        config.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
        SessionDirectory directory = new SessionDirectory(config);
        DirectoryStarter starter = new DirectoryStarter(directory,
                Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers), true, applicationId + "-start");
        starter.start();
        WatchedDirectory watched = new WatchedDirectory(directory, starter);
        long deadline = System.nanoTime() + max.toNanos();
        while (!directory.isReady()) {
            if (System.nanoTime() > deadline) {
                watched.close();
                throw new IllegalStateException("session directory " + applicationId + " not ready within " + max
                        + " (state " + directory.state() + ")");
            }
            Pause.of(Duration.ofMillis(50));
        }
        return watched;
    }

    public SessionDirectory sessions() {
        return directory;
    }

    @Override
    public void close() {
        starter.close();
        directory.close();
    }
}
