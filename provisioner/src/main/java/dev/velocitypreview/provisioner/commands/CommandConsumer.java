package dev.velocitypreview.provisioner.commands;

import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.core.topic.Topics;

/**
 * The poll loop: fetches commands, dispatches them to session lanes, commits what has finished,
 * pauses fetching while too much is in flight. The Kafka consumer is touched by the loop's own
 * thread only; commits are manual and never pass a record that has not finished.
 */
final class CommandConsumer implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(CommandConsumer.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    /** After startup recovery (which is in phase 0): no command runs while machines are being restarted. */
    static final int PHASE = 100;

    private final Supplier<Consumer<byte[], byte[]>> consumers;
    private final Supplier<CommandDispatcher> dispatchers;
    private final Duration pollTimeout;
    private final Duration drainTimeout;

    private volatile boolean running;
    private volatile Consumer<byte[], byte[]> consumer;
    private Thread thread;

    CommandConsumer(Supplier<Consumer<byte[], byte[]>> consumers, Supplier<CommandDispatcher> dispatchers,
                    Duration pollTimeout, Duration drainTimeout) {
        this.consumers = consumers;
        this.dispatchers = dispatchers;
        this.pollTimeout = pollTimeout;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public synchronized void start() {
        if (running) {
            return;
        }
        consumer = consumers.get();
        running = true;
        thread = new Thread(this::run, "provisioner-commands");
        thread.start();
    }

    @Override
    public void stop() {
        Thread polling;
        synchronized (this) {
            if (!running) {
                return;
            }
            running = false;
            polling = thread;
        }
        consumer.wakeup();
        try {
            polling.join(drainTimeout.plus(COMMIT_TIMEOUT).plusSeconds(5).toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    private void run() {
        Consumer<byte[], byte[]> kafka = consumer;
        try (CommandDispatcher dispatcher = dispatchers.get()) {
            kafka.subscribe(List.of(Topics.SESSION_COMMANDS.name()), new Rebalances(kafka, dispatcher));
            LOG.atInfo().addKeyValue("topic", Topics.SESSION_COMMANDS.name()).log("consuming commands");
            try {
                while (running) {
                    pollOnce(kafka, dispatcher);
                }
            } catch (WakeupException e) {
                if (running) {
                    throw e;
                }
            }
            boolean drained = dispatcher.close(drainTimeout);
            try {
                commit(kafka, dispatcher);
            } catch (WakeupException e) {
                // stop() woke a consumer that had already left the loop; that wakeup is used up now
                commit(kafka, dispatcher);
            }
            LOG.atInfo().addKeyValue("drained", drained).addKeyValue("inFlight", dispatcher.inFlight())
                    .log("stopped consuming commands");
        } catch (RuntimeException e) {
            LOG.atError().setCause(e).log("command consumer stopped on an error");
        } finally {
            running = false;
            // leave the group now, so the partitions move to another instance without waiting out the session timeout
            kafka.close(CloseOptions.timeout(Duration.ofSeconds(5))
                    .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
        }
    }

    private void pollOnce(Consumer<byte[], byte[]> kafka, CommandDispatcher dispatcher) {
        for (ConsumerRecord<byte[], byte[]> record : kafka.poll(pollTimeout)) {
            dispatcher.dispatch(record);
        }
        commit(kafka, dispatcher);
        if (dispatcher.overloaded() && kafka.paused().isEmpty() && !kafka.assignment().isEmpty()) {
            kafka.pause(kafka.assignment());
            LOG.atInfo().addKeyValue("inFlight", dispatcher.inFlight()).log("paused fetching: too many commands in flight");
        } else if (!kafka.paused().isEmpty() && dispatcher.drained()) {
            kafka.resume(kafka.paused());
            LOG.atInfo().addKeyValue("inFlight", dispatcher.inFlight()).log("resumed fetching");
        }
    }

    private static void commit(Consumer<byte[], byte[]> kafka, CommandDispatcher dispatcher) {
        Map<TopicPartition, OffsetAndMetadata> offsets = dispatcher.committable();
        if (offsets.isEmpty()) {
            return;
        }
        try {
            kafka.commitSync(offsets, COMMIT_TIMEOUT);
            dispatcher.committed(offsets);
        } catch (WakeupException e) {
            throw e;
        } catch (KafkaException e) {
            // the same positions are offered again on the next round
            LOG.atWarn().setCause(e).addKeyValue("offsets", offsets).log("commit failed");
        }
    }

    /** Runs inside poll, on the loop's thread. */
    private static final class Rebalances implements ConsumerRebalanceListener {
        private final Consumer<byte[], byte[]> kafka;
        private final CommandDispatcher dispatcher;

        Rebalances(Consumer<byte[], byte[]> kafka, CommandDispatcher dispatcher) {
            this.kafka = kafka;
            this.dispatcher = dispatcher;
        }

        @Override
        public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
            dispatcher.assigned(partitions);
            if (!kafka.paused().isEmpty()) {
                // fetching is paused for backpressure; new partitions wait with the others
                kafka.pause(partitions);
            }
            LOG.atInfo().addKeyValue("partitions", partitions).log("partitions assigned");
        }

        @Override
        public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
            Map<TopicPartition, OffsetAndMetadata> offsets = dispatcher.revoked(partitions);
            if (!offsets.isEmpty()) {
                try {
                    kafka.commitSync(offsets, COMMIT_TIMEOUT);
                } catch (KafkaException e) {
                    // the next owner redoes a little; commands are idempotent
                    LOG.atWarn().setCause(e).addKeyValue("offsets", offsets).log("commit on revocation failed");
                }
            }
            LOG.atInfo().addKeyValue("partitions", partitions).log("partitions revoked");
        }

        @Override
        public void onPartitionsLost(Collection<TopicPartition> partitions) {
            dispatcher.lost(partitions);
            LOG.atWarn().addKeyValue("partitions", partitions).log("partitions lost");
        }
    }
}
