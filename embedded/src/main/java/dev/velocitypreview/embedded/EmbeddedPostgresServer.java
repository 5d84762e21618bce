package dev.velocitypreview.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import io.zonky.test.db.postgres.util.LinuxUtils;

import dev.velocitypreview.core.net.LoopbackPorts;

/**
 * A PostgreSQL server from Maven-packaged binaries, set up for change data capture:
 * {@code wal_level=logical}, replication slots and WAL senders, and {@code synchronous_commit=on}
 * (the binaries' wrapper turns it off, which delays every change by ~190 ms because the WAL sender
 * only ships flushed WAL). The data directory is kept between starts.
 *
 * <p>PostgreSQL refuses to run as root; as root the binaries run inside a user namespace
 * ({@code unshare -U}), which needs unprivileged user namespaces to be allowed.
 */
public final class EmbeddedPostgresServer implements AutoCloseable {

    public static final String USER = "postgres";

    private final EmbeddedPostgres postgres;

    private EmbeddedPostgresServer(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    /**
     * @param dataDir where the cluster lives; never under {@code ${java.io.tmpdir}/embedded-pg},
     *                which the binaries' wrapper cleans up
     * @param port    TCP port on localhost, or 0 for a free one
     */
    public static EmbeddedPostgresServer start(Path dataDir, int port) {
        if (isRoot() && !LinuxUtils.isUnshareAvailable()) {
            throw new IllegalStateException("postgresql cannot run as root and user namespaces (unshare -U) are not "
                    + "available here: run as a non-root user, or point the platform at an external PostgreSQL");
        }
        Path data = dataDir.toAbsolutePath().normalize();
        try {
            Files.createDirectories(data);
            EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                    .setDataDirectory(data)
                    .setCleanDataDirectory(false)
                    .setPort(port != 0 ? port : LoopbackPorts.free())
                    .setPGStartupWait(Duration.ofSeconds(60))
                    .setServerConfig("wal_level", "logical")
                    .setServerConfig("synchronous_commit", "on")
                    .setServerConfig("max_replication_slots", "20")
                    .setServerConfig("max_wal_senders", "20")
                    .setServerConfig("max_connections", "300")
                    .start();
            return new EmbeddedPostgresServer(postgres);
        } catch (IOException e) {
            throw new UncheckedIOException("postgresql did not start in " + data + ": " + e.getMessage(), e);
        }
    }

    public int port() {
        return postgres.getPort();
    }

    /** A JDBC url for {@code database} on this server. */
    public String jdbcUrl(String database) {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/" + database;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException("postgresql did not stop cleanly", e);
        }
    }

    private static boolean isRoot() {
        try {
            return ((Number) Files.getAttribute(Path.of("/proc/self"), "unix:uid")).intValue() == 0;
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return false;
        }
    }
}
