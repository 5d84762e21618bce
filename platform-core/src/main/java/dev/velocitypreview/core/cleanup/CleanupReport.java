package dev.velocitypreview.core.cleanup;

import java.time.Instant;

/**
 * What one cleanup pass did: the commands it issued, by kind. A pass over every partition answers
 * with one report per partition; {@link #plus} adds them up for the caller.
 *
 * @param partitions       how many partitions the report covers
 * @param expired          sessions terminated because they reached {@code expires_at}
 * @param suspended        idle sessions suspended
 * @param terminatedIdle   suspended sessions terminated after the suspended-session timeout
 * @param orphansDestroyed machines destroyed because they serve no live session
 * @param lostFailed       sessions failed because their machine is gone
 * @param purged           ended sessions deleted after the retention
 * @param errors           actions that could not be issued
 * @param lastError        what went wrong last, or null
 * @param completedAt      when the pass (the latest of its partitions) completed
 */
public record CleanupReport(int partitions, long expired, long suspended, long terminatedIdle,
                            long orphansDestroyed, long lostFailed, long purged, long errors, String lastError,
                            Instant completedAt) {

    public static CleanupReport empty(Instant at) {
        return new CleanupReport(0, 0, 0, 0, 0, 0, 0, 0, null, at);
    }

    public CleanupReport plus(CleanupReport other) {
        return new CleanupReport(partitions + other.partitions, expired + other.expired, suspended + other.suspended,
                terminatedIdle + other.terminatedIdle, orphansDestroyed + other.orphansDestroyed,
                lostFailed + other.lostFailed, purged + other.purged, errors + other.errors,
                other.lastError != null ? other.lastError : lastError,
                completedAt == null || (other.completedAt != null && other.completedAt.isAfter(completedAt))
                        ? other.completedAt : completedAt);
    }
}
