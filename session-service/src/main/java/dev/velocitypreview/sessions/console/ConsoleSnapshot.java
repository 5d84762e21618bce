package dev.velocitypreview.sessions.console;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /console/data} answers: every figure of the console at one moment. Sessions and machines come
 * from the API's own view (the scan {@code GET /v1/admin/statistics} uses), the rest from the Prometheus
 * endpoints of this process and of {@code console.metrics-sources}. A figure no reachable source has is null, so
 * the page can tell "none" from "unknown".
 *
 * @param computedAt        when the snapshot was taken
 * @param viewReady         whether the API's view of sessions has loaded; while it loads the session figures are
 *                          null
 * @param sessionsByStatus  every status in lifecycle order, zeros included; ended sessions count until the
 *                          retention purges them
 * @param newestSessions    the most recently requested sessions, newest first
 * @param machinesByState   sessions that hold a machine and have not ended, by their status
 * @param provisioning      creation to ready of the sessions this API saw become ACTIVE
 *                          ({@code velocity_sessions_provisioning_seconds})
 * @param routerHold        how long the routers held requests ({@code velocity_router_hold_duration_seconds})
 * @param changelogLag      each source's changelog lag, row written to its directory holding it
 *                          ({@code velocity_directory_changelog_lag_seconds})
 * @param relayLagMillis    commit to acknowledged of the newest change the relay streamed ({@code velocity_cdc_lag_milliseconds})
 * @param cleanupActions    commands cleanup issued, by action, since its instances started ({@code velocity_cleanup_actions_total})
 * @param deadLettered      commands the provisioners set aside on the dead-letter topic since they started
 *                          ({@code velocity_provisioner_commands_dead_lettered_total})
 * @param sources           each metrics source and whether it answered
 */
record ConsoleSnapshot(Instant computedAt, boolean viewReady, @Nullable Map<String, Long> sessionsByStatus,
                       @Nullable List<SessionRow> newestSessions, @Nullable Map<String, Long> machinesByState,
                       @Nullable Histogram provisioning, @Nullable Histogram routerHold, List<Lag> changelogLag,
                       @Nullable Double relayLagMillis, @Nullable Map<String, Double> cleanupActions,
                       @Nullable Double deadLettered, List<Source> sources) {

    /**
     * One session of the newest.
     *
     * @param ageSeconds since it was requested (or created, for rows without a request time)
     */
    record SessionRow(UUID id, String status, @Nullable String machineId, @Nullable String owner, UUID projectId,
                      @Nullable Long ageSeconds) {
    }

    /**
     * A timer's observations in a few bins for the chart.
     *
     * @param count      observations
     * @param sumSeconds their total
     * @param maxSeconds the largest of the timer's recent window (Micrometer's {@code _max}); null when not published
     * @param bins       counts per bin, in order; empty when the timer publishes no histogram buckets
     */
    record Histogram(long count, double sumSeconds, @Nullable Double maxSeconds, List<Bin> bins) {
    }

    /**
     * Observations of at most {@code upToSeconds} and more than the previous bin's bound. Bounds come from the
     * timer's own buckets, so an observation lands in the first bin whose bound is at least the bucket it fell in.
     *
     * @param upToSeconds the bin's upper bound; null for the last, which has none
     */
    record Bin(@Nullable Double upToSeconds, long count) {
    }

    /** One source's changelog lag. */
    record Lag(String source, long count, @Nullable Double meanSeconds, @Nullable Double maxSeconds) {
    }

    /** @param error why it did not answer; null when it did */
    record Source(String source, boolean available, @Nullable String error) {
    }
}
