package dev.velocitypreview.provisioner.commands;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

import org.apache.kafka.clients.consumer.CloseOptions;
import org.apache.kafka.clients.consumer.Consumer;
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

    private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(5);

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
    public static SmartLifecycle lanes(Map<String, Object> consumerConfig, ProvisionerSettings.Concurrency concurrency,
                                       Duration pollTimeout, java.util.function.Consumer<ConsumerRecord<byte[], byte[]>> processor) {
        Map<String, Object> config = new HashMap<>(consumerConfig);
        // commits follow finished work, never the poll position
        config.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
        DefaultKafkaConsumerFactory<byte[], byte[]> consumers =
                new DefaultKafkaConsumerFactory<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
        consumers.addPostProcessor(CommandConsumers::leavingTheGroupOnClose);
        return new CommandConsumer(consumers,
                afterEach -> new CommandDispatcher(new SessionLanes(concurrency.workers(), "provisioner-worker"),
                        processor::accept, concurrency.maxInFlight(), afterEach),
                pollTimeout, concurrency.drainTimeout());
    }

    /**
     * The consumer, except that closing it leaves the group even as a static member, so its partitions move to
     * another provisioner at once instead of after the session timeout. Written by hand because the container
     * has no setting for it: on stop it commits, unsubscribes and closes with {@code close()}, and a static member
     * that unsubscribed is no longer in the group that a later {@code close(LEAVE_GROUP)} would leave. So the
     * unsubscribe before closing is skipped; closing still revokes the partitions first.
     */
    @SuppressWarnings("unchecked")
    private static Consumer<byte[], byte[]> leavingTheGroupOnClose(Consumer<byte[], byte[]> consumer) {
        InvocationHandler handler = (proxy, method, args) -> {
            try {
                switch (method.getName()) {
                    case "unsubscribe" -> {
                        return null;
                    }
                    case "close" -> {
                        consumer.close(CloseOptions.timeout(CLOSE_TIMEOUT)
                                .withGroupMembershipOperation(CloseOptions.GroupMembershipOperation.LEAVE_GROUP));
                        return null;
                    }
                    default -> {
                        return method.invoke(consumer, args);
                    }
                }
            } catch (InvocationTargetException e) {
                throw e.getCause();
            }
        };
        return (Consumer<byte[], byte[]>) Proxy.newProxyInstance(Consumer.class.getClassLoader(),
                new Class<?>[] {Consumer.class}, handler);
    }
}
