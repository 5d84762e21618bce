package dev.velocitypreview.provisioner.commands;

import java.time.Duration;
import java.util.Collection;
import java.util.function.Function;

import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.ConsumerFactory;
import org.springframework.kafka.listener.AcknowledgingMessageListener;
import org.springframework.kafka.listener.ConsumerAwareRebalanceListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;

import dev.velocitypreview.core.topic.Topics;

/**
 * Consumes the command topic on a spring-kafka listener container and hands each record to a session lane.
 *
 * <p>The container polls, commits and follows rebalances; acknowledgments are manual and sent in offset order
 * by {@link PartitionProgress}, so a commit never passes a record that has not finished. Not {@code asyncAcks}:
 * with it the container pauses every partition until each record of the previous poll is acknowledged, so one
 * machine slow to start would hold up every session of its partitions (benchmark scenario 7). Fetching pauses
 * while too many records are in flight and resumes once half of them finished.
 */
final class CommandConsumer implements SmartLifecycle {

    private static final Logger LOG = LoggerFactory.getLogger(CommandConsumer.class);
    private static final Duration COMMIT_TIMEOUT = Duration.ofSeconds(10);

    /** After startup recovery (which is in phase 0): no command runs while machines are being restarted. */
    static final int PHASE = 100;

    private final ConsumerFactory<byte[], byte[]> consumers;
    private final Function<Runnable, CommandDispatcher> dispatchers;
    private final Duration pollTimeout;
    private final Duration drainTimeout;

    private volatile KafkaMessageListenerContainer<byte[], byte[]> container;
    private volatile CommandDispatcher dispatcher;

    /** @param dispatchers makes the dispatcher, given what to run on a worker after each record */
    CommandConsumer(ConsumerFactory<byte[], byte[]> consumers, Function<Runnable, CommandDispatcher> dispatchers,
                    Duration pollTimeout, Duration drainTimeout) {
        this.consumers = consumers;
        this.dispatchers = dispatchers;
        this.pollTimeout = pollTimeout;
        this.drainTimeout = drainTimeout;
    }

    @Override
    public synchronized void start() {
        if (isRunning()) {
            return;
        }
        CommandDispatcher commands = dispatchers.apply(this::resumeWhenDrained);
        ContainerProperties properties = new ContainerProperties(Topics.SESSION_COMMANDS.name());
        properties.setAckMode(ContainerProperties.AckMode.MANUAL);
        properties.setPollTimeout(pollTimeout.toMillis());
        properties.setSyncCommitTimeout(COMMIT_TIMEOUT);
        properties.setMessageListener(new Listener(commands));
        properties.setConsumerRebalanceListener(new Rebalances(commands));
        KafkaMessageListenerContainer<byte[], byte[]> started = new KafkaMessageListenerContainer<>(consumers, properties);
        started.setBeanName("provisioner-commands");
        dispatcher = commands;
        container = started;
        started.start();
        LOG.atInfo().addKeyValue("topic", Topics.SESSION_COMMANDS.name()).log("consuming commands");
    }

    /**
     * Lets records that already started finish (up to the drain timeout), then stops the container, which
     * commits what they acknowledged and leaves the group. Records that have not started stay uncommitted for
     * the partitions' next owner.
     */
    @Override
    public synchronized void stop() {
        if (!isRunning()) {
            return;
        }
        container.pause();
        boolean drained = dispatcher.close(drainTimeout);
        container.stop();
        LOG.atInfo().addKeyValue("drained", drained).addKeyValue("inFlight", dispatcher.inFlight())
                .log("stopped consuming commands");
    }

    @Override
    public synchronized boolean isRunning() {
        return container != null && container.isRunning();
    }

    @Override
    public int getPhase() {
        return PHASE;
    }

    /** On a worker, after each record. */
    private void resumeWhenDrained() {
        KafkaMessageListenerContainer<byte[], byte[]> current = container;
        if (current != null && current.isPauseRequested() && dispatcher.drained() && !dispatcher.isClosing()) {
            current.resume();
            LOG.atInfo().addKeyValue("inFlight", dispatcher.inFlight()).log("resumed fetching");
        }
    }

    /** Runs on the container's consumer thread. */
    private final class Listener implements AcknowledgingMessageListener<byte[], byte[]> {
        private final CommandDispatcher commands;

        Listener(CommandDispatcher commands) {
            this.commands = commands;
        }

        @Override
        public void onMessage(ConsumerRecord<byte[], byte[]> record, Acknowledgment acknowledgment) {
            commands.dispatch(record, acknowledgment);
            if (commands.overloaded() && !container.isPauseRequested()) {
                // applied before the next poll; records of this poll are still dispatched
                container.pause();
                LOG.atInfo().addKeyValue("inFlight", commands.inFlight()).log("paused fetching: too many commands in flight");
                // the records may all have finished before the pause was requested: no worker would resume it
                resumeWhenDrained();
            }
        }
    }

    /** Runs inside poll, on the container's consumer thread. */
    private static final class Rebalances implements ConsumerAwareRebalanceListener {
        private final CommandDispatcher commands;

        Rebalances(CommandDispatcher commands) {
            this.commands = commands;
        }

        @Override
        public void onPartitionsAssigned(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            // the container pauses new partitions itself while fetching is paused
            commands.assigned(partitions);
            LOG.atInfo().addKeyValue("partitions", partitions).log("partitions assigned");
        }

        @Override
        public void onPartitionsRevokedBeforeCommit(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            // the container commits what was acknowledged right after this; the next owner redoes the rest
            commands.revoked(partitions);
            LOG.atInfo().addKeyValue("partitions", partitions).log("partitions revoked");
        }

        @Override
        public void onPartitionsLost(Consumer<?, ?> consumer, Collection<TopicPartition> partitions) {
            commands.revoked(partitions);
            LOG.atWarn().addKeyValue("partitions", partitions).log("partitions lost");
        }
    }
}
