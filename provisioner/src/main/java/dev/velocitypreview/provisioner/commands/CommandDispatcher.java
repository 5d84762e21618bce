package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.session.SessionId;

/**
 * Hands records to per-key lanes and keeps track of what may be committed. Used from the poll
 * thread only, except that lanes finish records on workers.
 *
 * <p>Records of one key (one session) run one after the other in offset order; different keys run
 * concurrently. A record counts as finished when its processor returns; if the processor throws,
 * the record stays pending, so its partition's committed position cannot pass it and it is
 * delivered again after a restart or rebalance.
 */
final class CommandDispatcher implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

    /** Processes one record on a worker; throws to leave the record uncommitted. */
    @FunctionalInterface
    interface RecordProcessor {
        void process(ConsumerRecord<byte[], byte[]> record);
    }

    private final SessionLanes lanes;
    private final RecordProcessor processor;
    private final int maxInFlight;
    private final Map<TopicPartition, PartitionProgress> partitions = new HashMap<>();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean closing;

    CommandDispatcher(SessionLanes lanes, RecordProcessor processor, int maxInFlight) {
        this.lanes = lanes;
        this.processor = processor;
        this.maxInFlight = maxInFlight;
    }

    void assigned(Collection<TopicPartition> assigned) {
        for (TopicPartition partition : assigned) {
            partitions.put(partition, new PartitionProgress(partition));
        }
    }

    /**
     * Stops tracking these partitions; records of theirs that have not started will not start.
     *
     * @return the positions to commit for them before they go
     */
    Map<TopicPartition, OffsetAndMetadata> revoked(Collection<TopicPartition> revoked) {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        for (TopicPartition partition : revoked) {
            PartitionProgress progress = partitions.remove(partition);
            if (progress != null) {
                progress.revoke();
                long position = progress.uncommittedPosition();
                if (position >= 0) {
                    commit.put(partition, new OffsetAndMetadata(position));
                }
            }
        }
        return commit;
    }

    /** Partitions that went to another member without a chance to commit. */
    void lost(Collection<TopicPartition> lost) {
        for (TopicPartition partition : lost) {
            PartitionProgress progress = partitions.remove(partition);
            if (progress != null) {
                progress.revoke();
            }
        }
    }

    void dispatch(ConsumerRecord<byte[], byte[]> record) {
        TopicPartition partition = new TopicPartition(record.topic(), record.partition());
        PartitionProgress progress = partitions.get(partition);
        if (progress == null) {
            // a record fetched before its partition was revoked in the same poll: its next owner reads it
            return;
        }
        progress.dispatched(record.offset());
        inFlight.incrementAndGet();
        lanes.submit(laneOf(record), () -> run(progress, record));
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
        }
    }

    /** Positions that moved since they were last committed. */
    Map<TopicPartition, OffsetAndMetadata> committable() {
        Map<TopicPartition, OffsetAndMetadata> commit = new HashMap<>();
        partitions.forEach((partition, progress) -> {
            long position = progress.uncommittedPosition();
            if (position >= 0) {
                commit.put(partition, new OffsetAndMetadata(position));
            }
        });
        return commit;
    }

    /** Call once Kafka confirmed the commit of {@code offsets}. */
    void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
        offsets.forEach((partition, offset) -> {
            PartitionProgress progress = partitions.get(partition);
            if (progress != null) {
                progress.committed(offset.offset());
            }
        });
    }

    int inFlight() {
        return inFlight.get();
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

    @Override
    public void close() {
        close(Duration.ZERO);
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
