package dev.velocitypreview.provisioner.commands;

import java.util.TreeSet;

import org.apache.kafka.common.TopicPartition;

/**
 * The offsets of one assigned partition that were dispatched and not yet finished. Work finishes
 * out of order (sessions run concurrently), so the committable position is the lowest offset still
 * pending, or the one after the last dispatched when nothing is pending: everything below it is done.
 *
 * <p>One instance per assignment: after a revocation the instance is {@link #revoke() revoked}, late
 * completions land on it and change nothing that a new assignment of the same partition tracks.
 * Thread-safe: dispatched on the poll thread, finished on workers.
 */
final class PartitionProgress {

    private final TopicPartition partition;
    private final TreeSet<Long> pending = new TreeSet<>();
    private long next = -1;
    private long committed = -1;
    private boolean revoked;

    PartitionProgress(TopicPartition partition) {
        this.partition = partition;
    }

    TopicPartition partition() {
        return partition;
    }

    synchronized void dispatched(long offset) {
        if (offset < next) {
            throw new IllegalStateException(partition + ": offset " + offset + " dispatched after " + (next - 1));
        }
        pending.add(offset);
        next = offset + 1;
    }

    synchronized void finished(long offset) {
        pending.remove(offset);
    }

    /** The position below which every dispatched record has finished, or -1 when nothing was dispatched. */
    synchronized long completePosition() {
        return pending.isEmpty() ? next : pending.first();
    }

    /** The position to commit when it moved since the last commit, else -1. */
    synchronized long uncommittedPosition() {
        long position = completePosition();
        return position > committed ? position : -1;
    }

    synchronized void committed(long position) {
        committed = Math.max(committed, position);
    }

    synchronized void revoke() {
        revoked = true;
    }

    /** A revoked partition's records that have not started are left for the partition's next owner. */
    synchronized boolean isRevoked() {
        return revoked;
    }
}
