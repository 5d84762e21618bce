package dev.velocitypreview.cleanup;

import java.time.Clock;
import java.time.Instant;
import java.util.List;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineInventory;

/**
 * The latest listing of the machines, shared by the tasks of this instance: each task reconciles its own
 * partition, and one listing serves all of them, so the inventory (Fly's API) is asked once per round, not
 * once per partition. Thread-safe (the stream threads share it).
 */
final class MachineListings {

    private static final Logger LOG = LoggerFactory.getLogger(MachineListings.class);

    /** @param takenAt when the listing was asked for: every machine that existed before then is in it */
    record Listing(Instant takenAt, List<Machine> machines) {
        Listing {
            machines = List.copyOf(machines);
        }
    }

    private final MachineInventory inventory;
    private final Clock clock;
    private final CleanupMetrics metrics;
    private @Nullable Listing latest;

    MachineListings(MachineInventory inventory, Clock clock, CleanupMetrics metrics) {
        this.inventory = inventory;
        this.clock = clock;
        this.metrics = metrics;
    }

    /**
     * A listing asked for at or after {@code notBefore}: the latest one when it is recent enough, else a new one.
     *
     * @throws RuntimeException when the inventory fails (counted); never a partial listing
     */
    synchronized Listing takenSince(Instant notBefore) {
        if (latest != null && !latest.takenAt().isBefore(notBefore)) {
            return latest;
        }
        Instant takenAt = clock.instant();
        try {
            latest = new Listing(takenAt, inventory.list());
            metrics.listingTaken();
            return latest;
        } catch (RuntimeException e) {
            metrics.listingFailed();
            LOG.atWarn().addKeyValue("error", e.toString()).log("machine listing failed, nothing reaped this round");
            throw e;
        }
    }
}
