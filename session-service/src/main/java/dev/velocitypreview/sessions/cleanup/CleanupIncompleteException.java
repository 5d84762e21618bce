package dev.velocitypreview.sessions.cleanup;

import java.time.Duration;

/** Not every partition's cleanup instance answered in time; some may have done their pass all the same. */
public final class CleanupIncompleteException extends RuntimeException {

    private final int answered;
    private final int partitions;

    CleanupIncompleteException(int answered, int partitions, Duration timeout) {
        super(answered + " of " + partitions + " partitions answered within " + timeout);
        this.answered = answered;
        this.partitions = partitions;
    }

    /** How many partitions' reports arrived in time. */
    public int answered() {
        return answered;
    }

    /** How many partitions {@code preview.cleanup-requests} has, each asked once. */
    public int partitions() {
        return partitions;
    }
}
