package dev.velocitypreview.provisioner.commands;

import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;

import dev.velocitypreview.provisioner.ProvisionerSettings;

/**
 * The entry point of the provisioner's command consumer: a spring-kafka listener container on
 * {@code preview.session-commands} whose listener runs each session's records one after the other and different
 * sessions concurrently on per-session lanes, commits only below the oldest unfinished record, and pauses
 * fetching while too much is in flight.
 * {@link CommandsConfiguration} builds the provisioner's consumer here; it is public so that the bench measures
 * the very consumer the provisioner runs, with its own record processor.
 */
public final class CommandConsumers {

    private CommandConsumers() {
    }

    /**
     * @param consumerConfig Kafka consumer settings, bootstrap servers and group id included; auto commit is
     *                       switched off whatever they say
     * @param processor      called on a worker for each record; returning finishes the record, throwing leaves
     *                       it uncommitted (delivered again after a restart or rebalance)
     * @return the consumer, started and stopped as a lifecycle; stopping lets running records finish for up to
     *         {@code concurrency.drainTimeout()}
     */
    public static SmartLifecycle lanes(Map<String, Object> consumerConfig, ProvisionerSettings.Concurrency concurrency, Duration pollTimeout,
                                       Consumer<ConsumerRecord<byte[], byte[]>> processor) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        // commits follow finished work, never the poll position
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        return new CommandConsumer(
                new DefaultKafkaConsumerFactory<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                afterEach -> new CommandDispatcher(new SessionLanes(concurrency.workers(), "provisioner-worker"),
                        processor::accept, concurrency.maxInFlight(), afterEach),
                pollTimeout, concurrency.drainTimeout());
    }
}
