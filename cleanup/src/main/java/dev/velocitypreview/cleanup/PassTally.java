package dev.velocitypreview.cleanup;

import java.time.Instant;
import java.util.EnumMap;
import java.util.Map;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.cleanup.CleanupReport;

/** What one pass of one task did, counted as it goes; one stream thread only. */
final class PassTally {

    private final Map<CleanupAction, Long> counts = new EnumMap<>(CleanupAction.class);
    private long errors;
    private @Nullable String lastError;

    void issued(CleanupAction action) {
        counts.merge(action, 1L, Long::sum);
    }

    void failed(String error) {
        errors++;
        lastError = error;
    }

    CleanupReport report(Instant completedAt) {
        return new CleanupReport(1, count(CleanupAction.EXPIRE), count(CleanupAction.SUSPEND),
                count(CleanupAction.TERMINATE_IDLE), count(CleanupAction.REAP_MACHINE),
                count(CleanupAction.MACHINE_LOST), count(CleanupAction.PURGE), errors, lastError, completedAt);
    }

    private long count(CleanupAction action) {
        return counts.getOrDefault(action, 0L);
    }
}
