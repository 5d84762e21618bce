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
 * database of its own with {@link #createDatabase()}.
 */
public final class TestPostgres {

    static final String POSTGRES_IMAGE = "postgres:17";

    private static TestPostgres shared;

    private final String adminUrlPrefix;
    private final String username;
    private final String password;
    private final String adminDatabase;

    private TestPostgres(String adminUrlPrefix, String username, String password, String adminDatabase) {
        this.adminUrlPrefix = adminUrlPrefix;
        this.username = username;
        this.password = password;
        this.adminDatabase = adminDatabase;
    }

    /** The server shared by every test of this JVM; started on first use, stopped when the JVM exits. */
    public static synchronized TestPostgres shared() {
        if (shared == null) {
            shared = start();
        }
        return shared;
    }

    private static TestPostgres start() {
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
