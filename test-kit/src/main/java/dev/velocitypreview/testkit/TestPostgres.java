package dev.velocitypreview.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;

import org.testcontainers.postgresql.PostgreSQLContainer;

import dev.velocitypreview.embedded.EmbeddedPostgresServer;

/**
 * A real PostgreSQL with logical replication for tests: a {@code postgres} container when Docker
 * is available, otherwise the embedded server the launcher also uses. Each test asks for a
 * database of its own with {@link #createDatabase()}. {@link #startDedicated()} gives a test a server
 * of its own that it may stop and start again.
 */
public final class TestPostgres implements AutoCloseable {

    static final String POSTGRES_IMAGE = "postgres:17";

    private static TestPostgres shared;

    private final String adminUrlPrefix;
    private final String username;
    private final String password;
    private final String adminDatabase;
    /** Set for a dedicated server only: the data directory and port it comes back on after {@link #stop()}. */
    private final Path dataDir;
    private final int port;
    private EmbeddedPostgresServer server;

    private TestPostgres(String adminUrlPrefix, String username, String password, String adminDatabase) {
        this(adminUrlPrefix, username, password, adminDatabase, null, 0, null);
    }

    private TestPostgres(String adminUrlPrefix, String username, String password, String adminDatabase, Path dataDir,
                         int port, EmbeddedPostgresServer server) {
        this.adminUrlPrefix = adminUrlPrefix;
        this.username = username;
        this.password = password;
        this.adminDatabase = adminDatabase;
        this.dataDir = dataDir;
        this.port = port;
        this.server = server;
    }

    /** The server shared by every test of this JVM; started on first use, stopped when the JVM exits. */
    public static synchronized TestPostgres shared() {
        if (shared == null) {
            shared = startShared();
        }
        return shared;
    }

    private static TestPostgres startShared() {
        if (Infrastructure.chosen() == Infrastructure.CONTAINERS) {
            PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE)
                    .withCommand("postgres", "-c", "wal_level=logical", "-c", "max_replication_slots=20",
                            "-c", "max_wal_senders=20", "-c", "synchronous_commit=on", "-c", "max_connections=300");
            container.start();
            Runtime.getRuntime().addShutdownHook(new Thread(container::stop, "test-postgres-stop"));
            String url = container.getJdbcUrl();
            return new TestPostgres(url.substring(0, url.lastIndexOf('/') + 1), container.getUsername(),
                    container.getPassword(), container.getDatabaseName());
        }
        try {
            Path dir = Files.createTempDirectory("test-postgres-");
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir.resolve("data"), 0);
            Runtime.getRuntime().addShutdownHook(new Thread(server::close, "test-postgres-stop"));
            return new TestPostgres("jdbc:postgresql://127.0.0.1:" + server.port() + "/",
                    EmbeddedPostgresServer.USER, "", "postgres");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /**
     * A server of the caller's own, always the embedded one (a container would come back on another
     * port); the caller closes it. {@link #stop()} and {@link #start()} keep its data and port.
     */
    public static TestPostgres startDedicated() {
        try {
            Path dir = Files.createTempDirectory("test-postgres-dedicated-").resolve("data");
            EmbeddedPostgresServer server = EmbeddedPostgresServer.start(dir, 0);
            return new TestPostgres("jdbc:postgresql://127.0.0.1:" + server.port() + "/", EmbeddedPostgresServer.USER,
                    "", "postgres", dir, server.port(), server);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops a dedicated server (a fast shutdown: clients are disconnected), keeping its data. */
    public synchronized void stop() {
        requireDedicated("stop");
        if (server != null) {
            server.close();
            server = null;
        }
    }

    /** Starts a dedicated server stopped with {@link #stop()} again, on the same data directory and port. */
    public synchronized void start() {
        requireDedicated("start");
        if (server == null) {
            server = EmbeddedPostgresServer.start(dataDir, port);
        }
    }

    /** Stops a dedicated server; the shared one stops when the JVM exits. */
    @Override
    public synchronized void close() {
        if (dataDir != null && server != null) {
            server.close();
            server = null;
        }
    }

    private void requireDedicated(String action) {
        if (dataDir == null) {
            throw new IllegalStateException("only a dedicated server (startDedicated()) may " + action
                    + "; the shared one serves every test of this JVM");
        }
    }

    /** A fresh, empty database with a unique name. */
    public TestDatabase createDatabase() {
        String name = "test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16);
        try (Connection connection = DriverManager.getConnection(adminUrlPrefix + adminDatabase, username, password);
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create test database " + name + ": " + e.getMessage(), e);
        }
        return new TestDatabase(name, adminUrlPrefix + name, username, password);
    }
}
