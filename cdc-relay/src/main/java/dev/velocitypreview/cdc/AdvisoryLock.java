package dev.velocitypreview.cdc;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A session-level PostgreSQL advisory lock held on a connection of its own. PostgreSQL releases it
 * when that connection ends, so a relay whose process dies or loses the database frees the lock for
 * a standby; the holder learns of a broken connection from {@link #isHeld()}.
 *
 * <p>Not thread-safe: one owner thread acquires, checks and closes it.
 */
final class AdvisoryLock implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(AdvisoryLock.class);
    private static final int VALIDATION_TIMEOUT_SECONDS = 5;

    private final Connection connection;
    private final long key;

    private AdvisoryLock(Connection connection, long key) {
        this.connection = connection;
        this.key = key;
    }

    /**
     * Takes the lock if nobody holds it.
     *
     * @return the held lock, or null when another session holds it
     * @throws SQLException when the database cannot be reached
     */
    static AdvisoryLock tryAcquire(ChangelogRelaySettings settings) throws SQLException {
        Properties properties = new Properties();
        properties.setProperty("user", settings.username());
        properties.setProperty("password", settings.password().value());
        properties.setProperty("ApplicationName", "velocity-cdc-relay-lock");
        properties.setProperty("tcpKeepAlive", "true");
        Connection connection = DriverManager.getConnection(settings.jdbcUrl(), properties);
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            statement.setLong(1, settings.lockKey());
            try (ResultSet result = statement.executeQuery()) {
                result.next();
                if (result.getBoolean(1)) {
                    return new AdvisoryLock(connection, settings.lockKey());
                }
            }
        } catch (SQLException | RuntimeException e) {
            closeQuietly(connection);
            throw e;
        }
        closeQuietly(connection);
        return null;
    }

    /** The value of a server setting as this connection's session sees it, or null if it cannot be read. */
    String setting(String name) {
        try (PreparedStatement statement = connection.prepareStatement("SELECT current_setting(?)")) {
            statement.setString(1, name);
            try (ResultSet result = statement.executeQuery()) {
                return result.next() ? result.getString(1) : null;
            }
        } catch (SQLException e) {
            return null;
        }
    }

    /** A table's replica identity: what its UPDATEs and DELETEs log of the old row (pg_class.relreplident). */
    enum ReplicaIdentity {
        /** the primary key */
        DEFAULT,
        /** nothing */
        NOTHING,
        /** every column */
        FULL,
        /** the columns of a chosen unique index */
        INDEX;

        static ReplicaIdentity of(String relreplident) {
            return switch (relreplident) {
                case "f" -> FULL;
                case "i" -> INDEX;
                case "n" -> NOTHING;
                default -> DEFAULT;
            };
        }
    }

    /**
     * The replica identity of each of {@code tables} that exists; empty if it cannot be read.
     *
     * @param tables {@code schema.table} names
     */
    Map<String, ReplicaIdentity> replicaIdentities(List<String> tables) {
        Map<String, ReplicaIdentity> identities = new HashMap<>();
        try (PreparedStatement statement = connection.prepareStatement(
                "SELECT relreplident FROM pg_class WHERE oid = to_regclass(?)")) {
            for (String table : tables) {
                statement.setString(1, table);
                try (ResultSet result = statement.executeQuery()) {
                    if (result.next()) {
                        identities.put(table, ReplicaIdentity.of(result.getString(1)));
                    }
                }
            }
        } catch (SQLException e) {
            LOG.atDebug().addKeyValue("reason", e.getMessage()).log("cannot read replica identities");
        }
        return identities;
    }

    /** False once the lock's connection is broken: another relay may then hold the lock. */
    boolean isHeld() {
        try {
            return connection.isValid(VALIDATION_TIMEOUT_SECONDS);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Releases the lock by ending its session. */
    @Override
    public void close() {
        try (PreparedStatement statement = connection.prepareStatement("SELECT pg_advisory_unlock(?)")) {
            statement.setLong(1, key);
            statement.execute();
        } catch (SQLException e) {
            // Closing the connection below ends the session, which releases the lock anyway.
            LOG.atDebug().addKeyValue("reason", e.getMessage()).log("advisory unlock failed, closing its connection");
        }
        closeQuietly(connection);
    }

    private static void closeQuietly(Connection connection) {
        try {
            connection.close();
        } catch (SQLException e) {
            LOG.atDebug().addKeyValue("reason", e.getMessage()).log("closing the lock connection failed");
        }
    }
}
