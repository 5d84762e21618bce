package dev.velocitypreview.bench.changelog;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.flywaydb.core.Flyway;

import dev.velocitypreview.bench.report.Samples;
import dev.velocitypreview.bench.rig.Infrastructure;
import dev.velocitypreview.bench.rig.Pause;
import dev.velocitypreview.bench.rig.WatchedDirectory;
import dev.velocitypreview.cdc.ChangelogRelay;
import dev.velocitypreview.cdc.ChangelogRelaySettings;
import dev.velocitypreview.embedded.EmbeddedKafkaBroker;

/**
 * Scenario 2: from the commit of a session row to the moment a {@link dev.velocitypreview.core.directory.SessionDirectory}
 * (the router's and the session API's store) holds it, through the real CDC relay with the provisioner's settings.
 *
 * <p>The rig has its own database (the provisioner's own migrations), broker, relay and directory, and the bench
 * writes the rows itself, the way the provisioner does (insert at version 1, then two updates), so the commit
 * time is known exactly: the moment the committing statement returned. The directory's waiter is registered before
 * each write and stamps the time on the thread that applies the change, so nothing is polled.
 */
public final class ChangelogLagScenario {

    private static final Duration VISIBLE_WITHIN = Duration.ofSeconds(30);
    private static final int WRITES_PER_SESSION = 3;
    private static final int WARM_UP_SESSIONS = 10;
    private static final int BURST_WRITERS = 8;

    private final Infrastructure infrastructure;

    public ChangelogLagScenario(Infrastructure infrastructure) {
        this.infrastructure = infrastructure;
    }

    /**
     * @param sequentialSessions sessions written one commit at a time, each commit waiting for the previous to be visible
     * @param burstSessions      sessions written by {@value #BURST_WRITERS} writers at once, nobody waiting
     */
    public ChangelogLagResult run(int sequentialSessions, int burstSessions) throws Exception {
        System.out.printf("bench: changelog lag, %d sessions one write at a time, %d in a burst%n",
                sequentialSessions, burstSessions);
        String jdbcUrl = infrastructure.createDatabase("changelog_lag");
        String user = infrastructure.databaseUser();
        Flyway.configure().dataSource(jdbcUrl, user, "").locations("classpath:db/migration").load().migrate();
        try (EmbeddedKafkaBroker broker = infrastructure.startBroker("changelog");
             ChangelogRelay relay = new ChangelogRelay(ChangelogRelaySettings.builder(jdbcUrl, user, "")
                     .bootstrapServers(broker.bootstrapServers())
                     .slotName("bench_changelog_lag")
                     .publicationName("bench_changelog_lag_pub")
                     .build())) {
            relay.start();
            awaitStreaming(relay);
            try (WatchedDirectory directory = WatchedDirectory.start(broker.bootstrapServers(),
                    infrastructure.directory("changelog-directory"), "bench-changelog-directory", Duration.ofMinutes(1));
                 Connection connection = DriverManager.getConnection(jdbcUrl, user, "")) {
                SessionWrites writes = new SessionWrites(directory);
                for (int i = 0; i < WARM_UP_SESSIONS; i++) {
                    writes.oneAtATime(connection);
                }
                List<Double> sequential = new ArrayList<>();
                for (int i = 0; i < sequentialSessions; i++) {
                    sequential.addAll(writes.oneAtATime(connection));
                }
                List<Double> burst = burst(writes, jdbcUrl, user, burstSessions);
                return new ChangelogLagResult(Samples.of(sequential), Samples.of(burst), WRITES_PER_SESSION);
            }
        }
    }

    private static List<Double> burst(SessionWrites writes, String jdbcUrl, String user, int sessions) throws Exception {
        ExecutorService writers = Executors.newFixedThreadPool(BURST_WRITERS);
        try {
            List<Future<List<CompletableFuture<Double>>>> running = new ArrayList<>();
            for (int w = 0; w < BURST_WRITERS; w++) {
                int share = sessions / BURST_WRITERS + (w < sessions % BURST_WRITERS ? 1 : 0);
                running.add(writers.submit(() -> {
                    List<CompletableFuture<Double>> lags = new ArrayList<>();
                    try (Connection connection = DriverManager.getConnection(jdbcUrl, user, "")) {
                        for (int i = 0; i < share; i++) {
                            lags.addAll(writes.withoutWaiting(connection));
                        }
                    }
                    return lags;
                }));
            }
            List<Double> lags = new ArrayList<>();
            for (Future<List<CompletableFuture<Double>>> writer : running) {
                for (CompletableFuture<Double> lag : writer.get()) {
                    lags.add(lag.join());
                }
            }
            return lags;
        } finally {
            writers.shutdownNow();
        }
    }

    private static void awaitStreaming(ChangelogRelay relay) {
        long deadline = System.nanoTime() + Duration.ofMinutes(1).toNanos();
        while (!relay.isStreaming()) {
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the changelog relay did not start streaming within a minute");
            }
            Pause.of(Duration.ofMillis(50));
        }
    }

    /** The provisioner's three writes of a session, each timed from its commit to the directory holding it. */
    private record SessionWrites(WatchedDirectory directory) {

        /** Each write waits until the previous one is visible. */
        List<Double> oneAtATime(Connection connection) throws SQLException {
            List<Double> lags = new ArrayList<>();
            for (CompletableFuture<Double> lag : session(connection, true)) {
                lags.add(lag.join());
            }
            return lags;
        }

        List<CompletableFuture<Double>> withoutWaiting(Connection connection) throws SQLException {
            return session(connection, false);
        }

        /**
         * Milliseconds from the commit of each version of a new session's row to the directory holding it. The
         * waiters of all three versions are registered before the first write, so none is registered while the
         * directory is completing another waiter of the same session.
         */
        private List<CompletableFuture<Double>> session(Connection connection, boolean waitEach) throws SQLException {
            UUID id = UUID.randomUUID();
            List<CompletableFuture<Long>> visible = new ArrayList<>();
            for (int version = 1; version <= WRITES_PER_SESSION; version++) {
                int wanted = version;
                visible.add(directory.sessions().await(id, view -> view.version() >= wanted, VISIBLE_WITHIN)
                        .thenApply(view -> System.nanoTime()));
            }
            List<CompletableFuture<Double>> lags = new ArrayList<>();
            for (int version = 1; version <= WRITES_PER_SESSION; version++) {
                write(connection, id, version);
                long committed = System.nanoTime();
                CompletableFuture<Double> lag = visible.get(version - 1).thenApply(at -> (at - committed) / 1e6);
                if (waitEach) {
                    lag.join();
                }
                lags.add(lag);
            }
            return lags;
        }

        /** Autocommit: the statement returns once PostgreSQL committed it. */
        private static void write(Connection connection, UUID id, int version) throws SQLException {
            String sql = switch (version) {
                case 1 -> """
                        INSERT INTO preview_sessions (id, user_id, project_id, status, tier, version, requested_at,
                                                      created_at, updated_at, expires_at)
                        VALUES (?, 'bench-changelog', gen_random_uuid(), 'PROVISIONING', 'free', 1, now(), now(), now(),
                                now() + interval '30 minutes')""";
                case 2 -> """
                        UPDATE preview_sessions SET status = 'STARTING', version = 2, machine_id = 'bench-machine',
                               updated_at = now() WHERE id = ?""";
                default -> """
                        UPDATE preview_sessions SET status = 'ACTIVE', version = 3, machine_url = 'http://127.0.0.1:9',
                               updated_at = now(), ready_at = now() WHERE id = ?""";
            };
            try (PreparedStatement statement = connection.prepareStatement(sql)) {
                statement.setObject(1, id);
                statement.executeUpdate();
            }
        }
    }
}
