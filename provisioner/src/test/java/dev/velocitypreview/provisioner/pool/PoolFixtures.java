package dev.velocitypreview.provisioner.pool;

import java.time.Clock;
import java.util.Map;

import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.templates.TemplateCatalog;
import io.micrometer.core.instrument.MeterRegistry;

/** The pools' parts for tests of other packages, built as the configuration builds them. */
public final class PoolFixtures {

    private PoolFixtures() {
    }

    public static WarmPools noPools(NamedParameterJdbcTemplate jdbc, MeterRegistry meters) {
        return pools(new ProvisionerSettings.Pool(null, "shared-cpu-1x:256MB", java.time.Duration.ofSeconds(5),
                java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(30)), jdbc, meters);
    }

    public static WarmPools pools(ProvisionerSettings.Pool settings, NamedParameterJdbcTemplate jdbc, MeterRegistry meters) {
        return new WarmPools(settings, TemplateCatalog.builtIn(), new MachinePool(jdbc), meters);
    }

    /** A keeper of {@code pools}; start it to refill on its own, or drive it pass by pass. */
    public static Keeper keeper(WarmPools pools, ProvisionerSettings.Pool settings, NamedParameterJdbcTemplate jdbc,
                                MachineDriver driver, TransactionTemplate transactions, Clock clock,
                                MeterRegistry meters) {
        return new Keeper(new PoolKeeper(pools, new MachinePool(jdbc), driver, settings, Map.of(), transactions, clock,
                meters));
    }

    /** A {@link PoolKeeper} as tests drive it. */
    public static final class Keeper implements AutoCloseable {
        private final PoolKeeper keeper;

        private Keeper(PoolKeeper keeper) {
            this.keeper = keeper;
        }

        public void start() {
            keeper.start();
        }

        public void reconcile() {
            keeper.reconcile();
        }

        @Override
        public void close() {
            keeper.stop();
        }
    }
}
