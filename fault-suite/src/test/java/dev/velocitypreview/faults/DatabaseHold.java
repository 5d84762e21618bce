package dev.velocitypreview.faults;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

import javax.sql.DataSource;

/**
 * Locks held in one open transaction, so that a process stops at a chosen statement and stays
 * there until the hold is released: a deterministic way to catch it at one step of its work,
 * using nothing but the database it already talks to.
 */
final class DatabaseHold implements AutoCloseable {

    private final Connection connection;

    private DatabaseHold(Connection connection) {
        this.connection = connection;
    }

    static DatabaseHold open(DataSource dataSource) {
        try {
            Connection connection = dataSource.getConnection();
            connection.setAutoCommit(false);
            return new DatabaseHold(connection);
        } catch (SQLException e) {
            throw new IllegalStateException("cannot open a database hold: " + e.getMessage(), e);
        }
    }

    /** Takes a table lock, e.g. {@code SHARE} (writes wait) or {@code ACCESS EXCLUSIVE} (reads wait too). */
    DatabaseHold lockTable(String table, String mode) {
        try (Statement statement = connection.createStatement()) {
            statement.execute("LOCK TABLE " + table + " IN " + mode + " MODE");
            return this;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot lock " + table + ": " + e.getMessage(), e);
        }
    }

    /** Locks those of the session rows that are in {@code status}, so writes to them wait; returns the ones locked. */
    List<UUID> lockSessionRows(List<UUID> ids, String status) {
        try (PreparedStatement select = connection.prepareStatement(
                "SELECT id FROM preview_sessions WHERE id = ANY (?) AND status = ? FOR UPDATE")) {
            select.setArray(1, connection.createArrayOf("uuid", ids.toArray()));
            select.setString(2, status);
            List<UUID> locked = new ArrayList<>();
            try (ResultSet result = select.executeQuery()) {
                while (result.next()) {
                    locked.add(result.getObject(1, UUID.class));
                }
            }
            return locked;
        } catch (SQLException e) {
            throw new IllegalStateException("cannot lock session rows: " + e.getMessage(), e);
        }
    }

    /** Releases everything held. */
    @Override
    public void close() {
        try (connection) {
            connection.rollback();
        } catch (SQLException e) {
            throw new IllegalStateException("cannot release a database hold: " + e.getMessage(), e);
        }
    }

    /** How many other backends are waiting for a lock while running a statement that starts with {@code prefix}. */
    static int waiting(DataSource dataSource, String prefix) {
        try (Connection connection = dataSource.getConnection();
             PreparedStatement select = connection.prepareStatement("""
                     SELECT count(*) FROM pg_stat_activity
                      WHERE wait_event_type = 'Lock' AND pid <> pg_backend_pid() AND starts_with(ltrim(query), ?)""")) {
            select.setString(1, prefix);
            try (ResultSet result = select.executeQuery()) {
                result.next();
                return result.getInt(1);
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read pg_stat_activity: " + e.getMessage(), e);
        }
    }
}
