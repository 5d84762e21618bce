package dev.velocitypreview.bench.rig;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.common.config.TopicConfig;
import org.apache.kafka.common.errors.UnknownTopicOrPartitionException;

import dev.velocitypreview.embedded.EmbeddedKafkaBroker;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.embedded.EmbeddedPostgresServer;

/**
 * What the scenarios run on: one PostgreSQL server for the whole suite (a database per rig) and a fresh Kafka
 * broker per rig, so no rig reads another's topics. Everything lives in one temporary directory, deleted on close.
 */
public final class Infrastructure implements AutoCloseable {

    private final Path root;
    private final EmbeddedPostgresServer postgres;

    private Infrastructure(Path root, EmbeddedPostgresServer postgres) {
        this.root = root;
        this.postgres = postgres;
    }

    public static Infrastructure start() {
        Path root;
        try {
            root = Files.createTempDirectory("velocity-bench-");
        } catch (IOException e) {
            throw new UncheckedIOException("no temporary directory for the benchmark", e);
        }
        return new Infrastructure(root, EmbeddedPostgresServer.start(root.resolve("postgres"), 0));
    }

    /** Creates {@code name} and returns its JDBC url; the user is {@link #databaseUser()} without a password. */
    public String createDatabase(String name) {
        try (Connection connection = DriverManager.getConnection(postgres.jdbcUrl("postgres"), databaseUser(), "");
             Statement statement = connection.createStatement()) {
            statement.execute("CREATE DATABASE " + name);
        } catch (SQLException e) {
            throw new IllegalStateException("could not create database " + name + ": " + e.getMessage(), e);
        }
        return postgres.jdbcUrl(name);
    }

    public String databaseUser() {
        return EmbeddedPostgresServer.USER;
    }

    /**
     * A new broker with the platform's two topics already there, as in a deployment; the caller closes it.
     * Services started side by side on a broker without them race to create them, and a session directory that
     * starts while a topic has no partitions yet dies.
     */
    public EmbeddedKafkaBroker startBroker(String name) {
        EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(directory("kafka-" + name), 0, 0).start();
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers()))) {
            admin.createTopics(List.of(
                    // the partition count the CDC relay gives it
                    new NewTopic(Topics.SESSIONS.name(), 6, (short) 1).configs(
                            Map.of(TopicConfig.CLEANUP_POLICY_CONFIG, TopicConfig.CLEANUP_POLICY_COMPACT)),
                    // the broker's default, as the services create it
                    new NewTopic(Topics.SESSION_COMMANDS.name(), Optional.empty(), Optional.empty())))
                    .all().get(30, TimeUnit.SECONDS);
            awaitDescribed(admin);
        } catch (ExecutionException | TimeoutException e) {
            broker.close();
            throw new IllegalStateException("could not create the platform's topics on broker " + name, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            broker.close();
            throw new IllegalStateException("interrupted", e);
        }
        return broker;
    }

    /**
     * Waits until the broker describes both topics. The controller answers the create; the broker learns of the new
     * topics from the metadata log a moment later, and on a busy machine a describe in between is answered
     * "unknown topic", which says only that it has not caught up yet.
     */
    private static void awaitDescribed(Admin admin) throws ExecutionException, TimeoutException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            try {
                admin.describeTopics(List.of(Topics.SESSIONS.name(), Topics.SESSION_COMMANDS.name()))
                        .allTopicNames().get(30, TimeUnit.SECONDS);
                return;
            } catch (ExecutionException e) {
                if (!(e.getCause() instanceof UnknownTopicOrPartitionException) || System.nanoTime() > deadline) {
                    throw e;
                }
                // the bench's own setup waiting on a real broker, not a test's synchronization
                Thread.sleep(50);
            }
        }
    }

    /** A directory of this run, created if missing. */
    public Path directory(String name) {
        Path dir = root.resolve(name);
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new UncheckedIOException("could not create " + dir, e);
        }
        return dir;
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } finally {
            deleteTree(root);
        }
    }

    private static void deleteTree(Path dir) {
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(path -> path.toFile().delete());
        } catch (IOException e) {
            // a leftover temporary directory is not worth failing a finished run for
            System.err.println("bench: could not delete " + dir + ": " + e.getMessage());
        }
    }
}
