package dev.velocitypreview.sessions.cleanup;

import dev.velocitypreview.core.cleanup.CleanupReport;

/**
 * Runs a cleanup pass now, on every partition of {@code preview.cleanup-requests} (each answered by the cleanup
 * instance that owns it), and adds up what the partitions report. Thread-safe; blocks the calling thread for at
 * most the configured cleanup timeout, plus the time Kafka takes to say a topic is missing.
 */
public interface CleanupPass {

    /**
     * @return the reports of every partition added up; {@link CleanupReport#partitions()} is the partition count
     * @throws CleanupNotDeployedException when a cleanup topic does not exist (the cleanup service creates them)
     * @throws CleanupUnavailableException when Kafka could not be asked (unreachable, a request not stored)
     * @throws CleanupIncompleteException  when not every partition answered within the timeout
     */
    CleanupReport run();
}
