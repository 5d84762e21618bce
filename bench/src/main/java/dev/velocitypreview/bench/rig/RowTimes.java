package dev.velocitypreview.bench.rig;

import java.time.Duration;
import java.time.Instant;

import dev.velocitypreview.core.session.SessionView;

/**
 * Where a session's time to its first answer went, from its row's own timestamps (which the session API returns) and
 * the client's clock, all on this one machine; NaN where a timestamp is missing.
 *
 * @param queueMs     requested_at → created_at: the command's trip through Kafka to the provisioner, row insert
 * @param provisionMs created_at → ready_at: a machine made ready for the session (created and healthy, or claimed)
 * @param deliverMs   ready_at → the answer: ACTIVE row committed, changelog, router wake-up, proxied request
 */
public record RowTimes(double queueMs, double provisionMs, double deliverMs) {

    /** For a session that got no answer worth splitting. */
    public static final RowTimes NONE = new RowTimes(Double.NaN, Double.NaN, Double.NaN);

    public static RowTimes of(SessionView row, Instant answered) {
        return new RowTimes(millisBetween(row.requestedAt(), row.createdAt()),
                millisBetween(row.createdAt(), row.readyAt()), millisBetween(row.readyAt(), answered));
    }

    private static double millisBetween(Instant from, Instant to) {
        return from == null || to == null ? Double.NaN : Duration.between(from, to).toNanos() / 1e6;
    }
}
