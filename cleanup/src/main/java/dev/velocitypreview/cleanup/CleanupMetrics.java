package dev.velocitypreview.cleanup;

import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * Cleanup's meters: actions issued by kind, machine listings that failed, and how late after its
 * {@code expires_at} each expiry was issued. Counted when a command is handed to the transaction; a
 * transaction that aborts (the instance died before its commit) is issued again by the next owner of the
 * partition and counted there too, so the counters may count such an action twice, the commands topic never.
 */
final class CleanupMetrics {

    static final String ACTIONS = "velocity.cleanup.actions";
    static final String LISTING_ERRORS = "velocity.cleanup.listing.errors";
    static final String LISTED = "velocity.cleanup.machines.listed";
    static final String EXPIRY_LATENESS = "velocity.cleanup.expiry.lateness";

    private final Map<CleanupAction, Counter> actions = new EnumMap<>(CleanupAction.class);
    private final Counter listingErrors;
    private final Counter listed;
    private final Timer expiryLateness;

    CleanupMetrics(MeterRegistry registry) {
        for (CleanupAction action : CleanupAction.values()) {
            actions.put(action, Counter.builder(ACTIONS)
                    .description("commands cleanup issued, by action (expire, suspend, terminate_idle, reap_machine, "
                            + "machine_lost, purge)")
                    .tag("action", action.tag()).register(registry));
        }
        listingErrors = Counter.builder(LISTING_ERRORS)
                .description("machine listings that failed; nothing is reaped or reported lost from a failed listing")
                .register(registry);
        listed = Counter.builder(LISTED)
                .description("machine listings taken (one serves every partition of an instance for a while)")
                .register(registry);
        expiryLateness = Timer.builder(EXPIRY_LATENESS)
                .description("how long after a session's expires_at its TERMINATE (expired) was issued")
                .publishPercentileHistogram()
                .register(registry);
    }

    void issued(CleanupAction action) {
        actions.get(action).increment();
    }

    void expiredLate(Duration lateness) {
        expiryLateness.record(lateness.isNegative() ? Duration.ZERO : lateness);
    }

    void listingFailed() {
        listingErrors.increment();
    }

    void listingTaken() {
        listed.increment();
    }
}
