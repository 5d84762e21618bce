package dev.velocitypreview.launcher;

import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import org.slf4j.bridge.SLF4JBridgeHandler;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.embedded.EmbeddedKafkaBroker;
import dev.velocitypreview.embedded.EmbeddedPostgresServer;

/**
 * The embedded default: one command starts PostgreSQL, a Kafka broker and every service, then
 * prints where they answer. Ctrl-C stops everything, preview machines included; the data
 * directory keeps sessions for the next start.
 */
public final class Launcher {

    static final String DATABASE = "velocity";
    static final String DEMO_USER = "demo";
    static final Duration DEMO_TOKEN_TTL = Duration.ofHours(12);
    /** Who the operator console's sign-in link signs in as; the link lives as long as the demo token. */
    static final String OPERATOR = "operator";
    static final Set<String> OPERATOR_ROLES = Set.of("admin");
    /** The original system's demo project: like any new project, its first session makes it from the default template. */
    static final String DEMO_PROJECT = "550e8400-e29b-41d4-a716-446655440000";

    private final LauncherOptions options;
    private final PrintStream out;
    private EmbeddedPostgresServer postgres;
    private EmbeddedKafkaBroker kafka;
    private EmbeddedPlatform platform;

    Launcher(LauncherOptions options, PrintStream out) {
        this.options = options;
        this.out = out;
    }

    public static void main(String[] args) {
        if (Arrays.asList(args).contains("--help")) {
            System.out.print(LauncherOptions.USAGE);
            return;
        }
        LauncherOptions options;
        try {
            options = LauncherOptions.parse(Arrays.asList(args));
        } catch (IllegalArgumentException e) {
            System.err.println("velocity-preview: " + e.getMessage());
            System.err.print(LauncherOptions.USAGE);
            System.exit(2);
            return;
        }
        // Tomcat and a few libraries log through java.util.logging: route them into the one console format
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        Launcher launcher = new Launcher(options, System.out);
        Runtime.getRuntime().addShutdownHook(new Thread(launcher::stop, "velocity-preview-stop"));
        try {
            launcher.start();
        } catch (RuntimeException e) {
            System.err.println("velocity-preview: could not start: " + e.getMessage());
            System.exit(1);
        }
    }

    void start() {
        long started = System.nanoTime();
        Path data = options.dataDir().toAbsolutePath().normalize();
        if (options.clean()) {
            step("deleting " + data + " (--clean)");
            deleteTree(data);
        }
        step("data directory " + data);
        step("starting postgresql on port " + options.postgresPort());
        postgres = EmbeddedPostgresServer.start(data.resolve("postgres"), options.postgresPort());
        createDatabaseIfMissing();
        step("starting kafka on port " + options.kafkaPort());
        kafka = new EmbeddedKafkaBroker(data.resolve("kafka"), options.kafkaPort(), options.kafkaPort() + 1).start();
        platform = EmbeddedPlatform.start(kafka.bootstrapServers(),
                new EmbeddedPlatform.Database(postgres.jdbcUrl(DATABASE), EmbeddedPostgresServer.USER, ""),
                data, options.apiPort(), options.routerPort(), PlatformSecrets.loadOrCreate(data),
                Map.of("velocity.provisioner.pool.templates.react", options.warmPool()), this::step);
        step("waiting for router and session api to load their session views");
        platform.awaitReady(Duration.ofMinutes(3));
        long seconds = (System.nanoTime() - started) / 1_000_000_000L;
        String token = platform.apiToken(DEMO_USER, Set.of(), Tier.TEAM, DEMO_TOKEN_TTL);
        String operator = platform.apiToken(OPERATOR, OPERATOR_ROLES, Tier.TEAM, DEMO_TOKEN_TTL);
        out.printf("""

                velocity preview is ready (%d s)
                  session api   %s
                  previews      http://<session-id>.preview.localhost:%d/   (or %s/s/<session-id>/ for static pages)
                  data          %s   (start with --clean to begin anew)

                try it (a token for user '%s', valid %d hours):
                  export TOKEN=%s
                  curl -s -X POST %s/v1/sessions -H "Authorization: Bearer $TOKEN" \\
                       -H 'Content-Type: application/json' -d '{"projectId":"%s"}'
                then open the previewUrl it answers with (its own host under preview.localhost, which browsers
                and curl send to this machine). "template" picks what a new project is made from (GET
                %s/v1/templates lists them).

                the operator console (signs you in as '%s', an admin, for %d hours):
                  %s
                Ctrl-C stops everything.
                %n""", seconds, platform.apiUrl(), platform.routerPort(), platform.routerUrl(), data, DEMO_USER,
                DEMO_TOKEN_TTL.toHours(), token, platform.apiUrl(), DEMO_PROJECT, platform.apiUrl(), OPERATOR,
                DEMO_TOKEN_TTL.toHours(), platform.consoleSignInUrl(operator));
    }

    synchronized void stop() {
        if (platform != null) {
            step("stopping services and preview machines");
            platform.close();
            platform = null;
        }
        if (kafka != null) {
            step("stopping kafka");
            kafka.close();
            kafka = null;
        }
        if (postgres != null) {
            step("stopping postgresql");
            postgres.close();
            postgres = null;
        }
    }

    private void step(String what) {
        out.println("velocity-preview: " + what);
    }

    private void createDatabaseIfMissing() {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("postgres"),
                EmbeddedPostgresServer.USER, "");
             Statement statement = connection.createStatement();
             ResultSet exists = statement.executeQuery(
                     "SELECT 1 FROM pg_database WHERE datname = '" + DATABASE + "'")) {
            if (!exists.next()) {
                statement.execute("CREATE DATABASE " + DATABASE);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + DATABASE + ": " + e.getMessage(), e);
        }
    }

    private static void deleteTree(Path root) {
        if (!Files.exists(root)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(root)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> {
                try {
                    Files.delete(path);
                } catch (IOException e) {
                    throw new UncheckedIOException("could not delete " + path, e);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("could not delete " + root, e);
        }
    }
}
