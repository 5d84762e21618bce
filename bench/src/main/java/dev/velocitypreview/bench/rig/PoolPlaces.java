package dev.velocitypreview.bench.rig;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;

import org.postgresql.ds.PGSimpleDataSource;

/**
 * A provisioner's warm pools as its {@code machine_pool} table records them, read (never written) through the
 * platform's database: the scenarios wait until a pool is full before they claim from it.
 */
public final class PoolPlaces {

    private static final Duration POLL = Duration.ofMillis(200);

    private final PGSimpleDataSource database = new PGSimpleDataSource();

    public PoolPlaces(String jdbcUrl, String user) {
        database.setUrl(jdbcUrl);
        database.setUser(user);
    }

    /** The machines of the places that are ready to be claimed. */
    public Set<String> readyMachines() {
        Set<String> machines = new HashSet<>();
        try (Connection connection = database.getConnection();
             Statement statement = connection.createStatement();
             ResultSet rows = statement.executeQuery("SELECT machine_id FROM machine_pool WHERE state = 'ready'")) {
            while (rows.next()) {
                machines.add(rows.getString(1));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("could not read machine_pool: " + e.getMessage(), e);
        }
        return machines;
    }

    /**
     * Waits until at least {@code machines} places are ready.
     *
     * @return their machines
     * @throws IllegalStateException when they are not within {@code within}
     */
    public Set<String> awaitReady(int machines, Duration within) {
        long deadline = System.nanoTime() + within.toNanos();
        while (true) {
            Set<String> ready = readyMachines();
            if (ready.size() >= machines) {
                return ready;
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the warm pool had " + ready.size() + " of " + machines
                        + " machines ready after " + within);
            }
            Pause.of(POLL);
        }
    }
}
