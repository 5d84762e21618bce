package dev.velocitypreview.provisioner.commands;

import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.apache.kafka.common.TopicPartition;
import org.springframework.kafka.support.Acknowledgment;

/**
 * The offsets of one assigned partition that were dispatched and not yet finished, and the acknowledgments
 * that commit them. Work finishes out of order (sessions run concurrently), but an acknowledgment commits its
 * record and everything before it; so when a record finishes, only the highest record below which everything
 * finished is acknowledged: the lowest offset still pending is never committed past.
 *
 * <p>Acknowledgments of finished records above the lowest pending one are held until it finishes. One instance
 * per assignment: after a revocation the instance is {@link #revoke() revoked} and late completions acknowledge
 * nothing, so nothing is committed for a partition this member no longer owns. Thread-safe: dispatched on the
 * consumer thread, finished on workers.
 */
final class PartitionProgress {

    private final TopicPartition partition;
    private final TreeSet<Long> pending = new TreeSet<>();
    /** Dispatched records not yet covered by an acknowledgment that was sent. */
    private final TreeMap<Long, Acknowledgment> unacknowledged = new TreeMap<>();
    private long next = -1;
    private boolean revoked;

    PartitionProgress(TopicPartition partition) {
        this.partition = partition;
    }

    synchronized void dispatched(long offset, Acknowledgment acknowledgment) {
        if (offset < next) {
            throw new IllegalStateException(partition + ": offset " + offset + " dispatched after " + (next - 1));
        }
        pending.add(offset);
        unacknowledged.put(offset, acknowledgment);
        next = offset + 1;
    }

    /**
     * Marks the record finished and acknowledges the highest record below which everything finished, when that
     * moved. The acknowledgment is handed over under the lock, so that a revocation (which commits what was
     * acknowledged) either sees it or stops it.
     */
    synchronized void finished(long offset) {
        pending.remove(offset);
        if (revoked) {
            return;
        }
        long position = completePosition();
        Map.Entry<Long, Acknowledgment> covering = unacknowledged.lowerEntry(position);
        if (covering == null) {
            return;
        }
        unacknowledged.headMap(position).clear();
        covering.getValue().acknowledge();
    }

    /** The position below which every dispatched record has finished, or -1 when nothing was dispatched. */
    private long completePosition() {
        return pending.isEmpty() ? next : pending.first();
    }

    synchronized void revoke() {
        revoked = true;
        unacknowledged.clear();
    }

    /** A revoked partition's records that have not started are left for the partition's next owner. */
    synchronized boolean isRevoked() {
        return revoked;
    }
}
