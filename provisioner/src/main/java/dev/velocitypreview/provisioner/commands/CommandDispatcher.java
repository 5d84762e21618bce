package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.support.Acknowledgment;

import dev.velocitypreview.core.session.SessionId;

/**
 * Hands records to per-key lanes and acknowledges what may be committed. Used from the consumer
 * thread only, except that lanes finish records on workers.
 *
 * <p>Records of one key (one session) run one after the other in offset order; different keys run
 * concurrently. A record counts as finished when its processor returns; if the processor throws,
 * the record stays pending, so its partition's committed position cannot pass it and it is
 * delivered again after a restart or rebalance.
 */
final class CommandDispatcher {

    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

    /** Processes one record on a worker; throws to leave the record uncommitted. */
    @FunctionalInterface
    interface RecordProcessor {
        void process(ConsumerRecord<byte[], byte[]> record);
    }

    private final SessionLanes lanes;
    private final RecordProcessor processor;
    private final int maxInFlight;
    private final Runnable afterEach;
    private final Map<TopicPartition, PartitionProgress> partitions = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;

    /** @param afterEach called on the worker once a record is done with, finished or not */
    CommandDispatcher(SessionLanes lanes, RecordProcessor processor, int maxInFlight, Runnable afterEach) {
        this.lanes = lanes;
        this.processor = processor;
        this.maxInFlight = maxInFlight;
        this.afterEach = afterEach;
    }

    void assigned(Collection<TopicPartition> assigned) {
        for (TopicPartition partition : assigned) {
            partitions.put(partition, new PartitionProgress(partition));
        }
    }

    /**
     * Stops tracking these partitions (revoked, or lost to another member); records of theirs that have not
     * started will not start, and nothing more is acknowledged for them. What was acknowledged before is
     * committed by the container on revocation.
     */
    void revoked(Collection<TopicPartition> revoked) {
        for (TopicPartition partition : revoked) {
            PartitionProgress progress = partitions.remove(partition);
            if (progress != null) {
                progress.revoke();
            }
        }
    }

    /** @param acknowledgment commits the record and everything before it; sent once everything up to it finished */
    void dispatch(ConsumerRecord<byte[], byte[]> record, Acknowledgment acknowledgment) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        PartitionProgress progress = partitions.get(partition);
        if (progress == null || closing) {
            // fetched before its partition was revoked, or while stopping: left for the partition's next owner
            return;
        }
        progress.dispatched(record.offset(), acknowledgment);
        inFlight.incrementAndGet();
        try {
            lanes.submit(laneOf(record), () -> run(progress, record));
        } catch (RejectedExecutionException e) {
            // closed between the check above and now: the record stays pending, so uncommitted
            inFlight.decrementAndGet();
        }
    }

    private void run(PartitionProgress progress, ConsumerRecord<byte[], byte[]> record) {
        try {
            if (progress.isRevoked() || closing) {
                return;
            }
            processor.process(record);
            progress.finished(record.offset());
        } catch (RuntimeException e) {
            LOG.atError().setCause(e)
                    .addKeyValue("session", loggableKey(record))
                    .addKeyValue("partition", record.partition())
                    .addKeyValue("offset", record.offset())
                    .log("record left uncommitted; it is delivered again after a restart or rebalance");
        } finally {
            inFlight.decrementAndGet();
            afterEach.run();
        }
    }

    int inFlight() {
        return inFlight.get();
    }

    boolean isClosing() {
        return closing;
    }

    /** Too much taken and not finished: stop fetching. */
    boolean overloaded() {
        return inFlight.get() >= maxInFlight;
    }

    /** Half of the bound drained: fetch again (the gap keeps pause and resume from alternating on every poll). */
    boolean drained() {
        return inFlight.get() <= maxInFlight / 2;
    }

    /**
     * Lets records that already started finish, up to {@code timeout}; records that have not
     * started are left uncommitted for the next owner.
     *
     * @return true when everything that started has finished
     */
    boolean close(Duration timeout) {
        closing = true;
        return lanes.close(timeout);
    }

    private static String laneOf(ConsumerRecord<byte[], byte[]> record) {
        // a record without a key is poison; it gets a lane of its partition so it blocks nobody's session
        return record.key() == null ? "partition-" + record.partition() : keyText(record);
    }

    static String keyText(ConsumerRecord<byte[], byte[]> record) {
        return record.key() == null ? "" : new String(record.key(), StandardCharsets.UTF_8);
    }

    /** The record's key as it may appear in a log line: a session id as it is, anything else quoted and cut short. */
    static String loggableKey(ConsumerRecord<byte[], byte[]> record) {
        String key = keyText(record);
        return SessionId.isValid(key) ? key : SessionId.quote(key);
    }
}
