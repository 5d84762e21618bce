package dev.velocitypreview.cdc;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Timestamp;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import javax.sql.DataSource;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;

/**
 * Writes {@code preview_sessions} rows the way the provisioner does, each write its own transaction,
 * over one connection (opening one per write would make the writes, not the relay, the slow part).
 */
final class SessionTable implements AutoCloseable {

    /** The provisioner's migration: the relay is tested against the real schema, never a copy. */
    static final Path MIGRATIONS = Path.of("../provisioner/src/main/resources/db/migration");

    private final Connection connection;

    SessionTable(DataSource dataSource) {
        try {
            this.connection = dataSource.getConnection();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot connect: " + e.getMessage(), e);
        }
    }

    /** Applies the provisioner's migrations, in version order, to the (empty) database. */
    synchronized SessionTable migrate() {
        try (Statement statement = connection.createStatement();
             Stream<Path> files = Files.list(MIGRATIONS)) {
            List<Path> ordered = files.filter(f -> f.getFileName().toString().matches("V\\d+__.*\\.sql"))
                    .sorted(Comparator.comparingInt(
                            f -> Integer.parseInt(f.getFileName().toString().substring(1).split("__")[0])))
                    .toList();
            for (Path migration : ordered) {
                statement.execute(Files.readString(migration));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read " + MIGRATIONS.toAbsolutePath(), e);
        } catch (SQLException e) {
            throw new IllegalStateException("migration failed: " + e.getMessage(), e);
        }
        return this;
    }

    void insert(SessionView view) {
        insert(view, null);
    }

    /** Inserts the row of {@code view}, with {@code resource_limits} as given (JSON text or null). */
    void insert(SessionView view, String resourceLimits) {
        update("""
                INSERT INTO preview_sessions (id, user_id, project_id, status, status_reason, error, machine_id,
                    machine_url, region, tier, resource_limits, version, requested_at, created_at, updated_at,
                    ready_at, expires_at, terminated_at)
                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, ?, ?, ?)""", statement -> {
            statement.setObject(1, view.id());
            statement.setString(2, view.userId());
            statement.setObject(3, view.projectId());
            statement.setString(4, view.status().name());
            statement.setString(5, view.statusReason());
            statement.setString(6, view.error());
            statement.setString(7, view.machineId());
            statement.setString(8, view.machineUrl());
            statement.setString(9, view.region());
            statement.setString(10, view.tier().wireName());
            statement.setString(11, resourceLimits);
            statement.setLong(12, view.version());
            statement.setTimestamp(13, timestamp(view.requestedAt()));
            statement.setTimestamp(14, timestamp(view.createdAt()));
            statement.setTimestamp(15, timestamp(view.updatedAt()));
            statement.setTimestamp(16, timestamp(view.readyAt()));
            statement.setTimestamp(17, timestamp(view.expiresAt()));
            statement.setTimestamp(18, timestamp(view.terminatedAt()));
        });
    }

    /** Writes every column of {@code view} over the row with its id. */
    void overwrite(SessionView view) {
        update("""
                UPDATE preview_sessions SET status = ?, status_reason = ?, error = ?, machine_id = ?, machine_url = ?,
                    region = ?, version = ?, updated_at = ?, ready_at = ?, expires_at = ?, terminated_at = ?
                WHERE id = ?""", statement -> {
            statement.setString(1, view.status().name());
            statement.setString(2, view.statusReason());
            statement.setString(3, view.error());
            statement.setString(4, view.machineId());
            statement.setString(5, view.machineUrl());
            statement.setString(6, view.region());
            statement.setLong(7, view.version());
            statement.setTimestamp(8, timestamp(view.updatedAt()));
            statement.setTimestamp(9, timestamp(view.readyAt()));
            statement.setTimestamp(10, timestamp(view.expiresAt()));
            statement.setTimestamp(11, timestamp(view.terminatedAt()));
            statement.setObject(12, view.id());
        });
    }

    /** The provisioner's write: one more version of the session. */
    void bumpVersion(UUID id) {
        update("UPDATE preview_sessions SET version = version + 1, updated_at = now() WHERE id = ?",
                statement -> statement.setObject(1, id));
    }

    void delete(UUID id) {
        update("DELETE FROM preview_sessions WHERE id = ?", statement -> statement.setObject(1, id));
    }

    /** A session as the provisioner first writes it: PROVISIONING, version 1, microsecond timestamps. */
    static SessionView provisioning(UUID id, Instant at) {
        return new SessionView(id, "user-" + id.toString().substring(0, 8), UUID.randomUUID(),
                SessionStatus.PROVISIONING, null, null, null, null, null, Tier.FREE, null, 1, at, at, at, null, null, null, null);
    }

    private synchronized void update(String sql, Binder binder) {
        try (PreparedStatement statement = connection.prepareStatement(sql)) {
            binder.bind(statement);
            statement.executeUpdate();
        } catch (SQLException e) {
            throw new IllegalStateException(sql + " failed: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() throws SQLException {
        connection.close();
    }

    private static Timestamp timestamp(Instant instant) {
        return instant == null ? null : Timestamp.from(instant);
    }

    private interface Binder {
        void bind(PreparedStatement statement) throws SQLException;
    }
}
