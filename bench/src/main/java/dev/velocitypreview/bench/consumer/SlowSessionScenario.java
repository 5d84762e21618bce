package dev.velocitypreview.bench.consumer;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.springframework.context.SmartLifecycle;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.listener.AcknowledgingMessageListener;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.support.Acknowledgment;

import dev.velocitypreview.bench.rig.Pause;
import dev.velocitypreview.bench.report.Samples;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.embedded.EmbeddedKafkaBroker;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandConsumers;

/**
 * Scenario 7: one slow session among the sessions of one partition. A record of one session takes
 * {@link Settings#slow()} (a machine slow to start); once a consumer has taken it, a record of each other session
 * is published to the same partition, each taking {@link Settings#fast()}. Measured: how long after its publication
 * each of the others finished, for the provisioner's own consumer and for a spring-kafka container using
 * {@code asyncAcks}, the container's own way of finishing records out of order. Handlers are simulated (they
 * wait), the broker and consumers are real.
 */
public final class SlowSessionScenario {

    private static final Duration PATIENCE = Duration.ofMinutes(2);

    /**
     * @param sessions sessions on the partition, the slow one included
     * @param slow     how long the slow session's record takes
     * @param fast     how long every other record takes
     */
    public record Settings(int sessions, Duration slow, Duration fast) {
    }

    /** A way to consume the partition. */
    enum Variant {
        LANES("the provisioner's consumer: a spring-kafka container, `AckMode.MANUAL`, per-session lanes, each "
                + "partition acknowledging only the highest record below which everything finished"),
        ASYNC_ACKS("a spring-kafka container with `asyncAcks` + `AckMode.MANUAL`, the listener handing records to "
                + "per-session executors and acknowledging each when it finished, in any order");

        final String description;

        Variant(String description) {
            this.description = description;
        }
    }

    private final Path root;

    /** @param root where the scenario's broker keeps its log */
    public SlowSessionScenario(Path root) {
        this.root = root;
    }

    public SlowSessionResult run(Settings settings) throws Exception {
        List<SlowSessionResult.Measurement> measurements = new ArrayList<>();
        for (Variant variant : Variant.values()) {
            String name = variant.name().toLowerCase(Locale.ROOT);
            System.out.println("bench: slow session among " + settings.sessions() + ", " + name);
            // a broker each: the provisioner's consumer reads the command topic, so every variant does
            Path log = root.resolve("kafka-slow-session-" + name);
            try (EmbeddedKafkaBroker broker = new EmbeddedKafkaBroker(log, 0, 0).start()) {
                measurements.add(new Run(broker.bootstrapServers(), variant, settings).measure());
            }
        }
        return new SlowSessionResult(settings, measurements);
    }

    /** One variant on a broker of its own, whose command topic has one partition. */
    private static final class Run {
        private final String bootstrap;
        private final Variant variant;
        private final Settings settings;
        private final String topic;
        private final TopicPartition partition;
        private final Map<String, Long> publishedAt = new ConcurrentHashMap<>();
        private final Map<String, Long> finishedAt = new ConcurrentHashMap<>();
        private final CountDownLatch slowTaken = new CountDownLatch(1);
        private final CountDownLatch allFinished;
        private final PerKeyExecutors executors = new PerKeyExecutors();

        Run(String bootstrap, Variant variant, Settings settings) {
            this.bootstrap = bootstrap;
            this.variant = variant;
            this.settings = settings;
            this.topic = Topics.SESSION_COMMANDS.name();
            this.partition = new TopicPartition(topic, 0);
            this.allFinished = new CountDownLatch(settings.sessions());
        }

        SlowSessionResult.Measurement measure() throws Exception {
            try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap));
                 KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(Map.of(
                         ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap, ProducerConfig.LINGER_MS_CONFIG, "0"),
                         new ByteArraySerializer(), new ByteArraySerializer())) {
                admin.createTopics(List.of(new NewTopic(topic, 1, (short) 1))).all().get(30, TimeUnit.SECONDS);
                String group = "bench-slow-session";
                Map<String, Object> consumerConfig = Map.of(
                        ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                        ConsumerConfig.GROUP_ID_CONFIG, group,
                        ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
                SmartLifecycle consumer = consumer(consumerConfig);
                consumer.start();
                try {
                    publish(producer, "session-slow");
                    await(slowTaken, "the slow record to be taken");
                    for (int i = 1; i < settings.sessions(); i++) {
                        publish(producer, "session-" + i);
                    }
                    await(allFinished, "every record to finish");
                    long committed = awaitCommitted(admin, group, settings.sessions());
                    List<Double> others = new ArrayList<>();
                    for (int i = 1; i < settings.sessions(); i++) {
                        others.add(millisToFinish("session-" + i));
                    }
                    return new SlowSessionResult.Measurement(variant.name(), variant.description, Samples.of(others),
                            millisToFinish("session-slow"), committed);
                } finally {
                    consumer.stop();
                    executors.close();
                }
            }
        }

        private void publish(KafkaProducer<byte[], byte[]> producer, String key) throws Exception {
            publishedAt.put(key, System.nanoTime());
            producer.send(new ProducerRecord<>(topic, 0, key.getBytes(StandardCharsets.UTF_8), new byte[0]))
                    .get(30, TimeUnit.SECONDS);
        }

        /** The simulated command: a machine slow to start for one session, quick ones for the others. */
        private void handle(ConsumerRecord<byte[], byte[]> record) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            if (key.equals("session-slow")) {
                slowTaken.countDown();
                Pause.of(settings.slow());
            } else {
                Pause.of(settings.fast());
            }
            finishedAt.put(key, System.nanoTime());
            allFinished.countDown();
        }

        private double millisToFinish(String key) {
            return (finishedAt.get(key) - publishedAt.get(key)) / 1e6;
        }

        private SmartLifecycle consumer(Map<String, Object> config) {
            ProvisionerSettings.Concurrency lanes = new ProvisionerSettings.Concurrency(16, 256, Duration.ofSeconds(30));
            return switch (variant) {
                case LANES -> CommandConsumers.lanes(config, lanes, Duration.ofMillis(100), this::handle);
                case ASYNC_ACKS -> container(config, new AsyncAcks(executors, this::handle));
            };
        }

        private SmartLifecycle container(Map<String, Object> config, AcknowledgingMessageListener<byte[], byte[]> listener) {
            ContainerProperties properties = new ContainerProperties(topic);
            properties.setAckMode(ContainerProperties.AckMode.MANUAL);
            properties.setAsyncAcks(true);
            properties.setPollTimeout(100);
            properties.setMessageListener(listener);
            KafkaMessageListenerContainer<byte[], byte[]> container = new KafkaMessageListenerContainer<>(
                    new DefaultKafkaConsumerFactory<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer()),
                    properties);
            container.setBeanName("bench-slow-session");
            return container;
        }

        private long awaitCommitted(Admin admin, String group, long expected) throws Exception {
            long deadline = System.nanoTime() + PATIENCE.toNanos();
            while (true) {
                OffsetAndMetadata committed = admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata()
                        .get(30, TimeUnit.SECONDS).get(partition);
                if (committed != null && committed.offset() >= expected) {
                    return committed.offset();
                }
                if (System.nanoTime() > deadline) {
                    return committed == null ? -1 : committed.offset();
                }
                Pause.of(Duration.ofMillis(50));
            }
        }

        private static void await(CountDownLatch latch, String what) throws InterruptedException {
            if (!latch.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)) {
                throw new IllegalStateException("bench: waited " + PATIENCE + " for " + what);
            }
        }
    }

    /** Runs the records of one key one after the other, different keys concurrently, on a shared pool. */
    private static final class PerKeyExecutors implements AutoCloseable {
        private final ExecutorService pool = Executors.newFixedThreadPool(16);
        private final Map<String, CompletableFuture<Void>> tails = new ConcurrentHashMap<>();

        void submit(ConsumerRecord<byte[], byte[]> record, Runnable task) {
            String key = new String(record.key(), StandardCharsets.UTF_8);
            // the next record of a key runs after the previous one, whether that one failed or not
            tails.compute(key, (k, tail) -> (tail == null ? CompletableFuture.<Void>completedFuture(null)
                    : tail.handle((done, failure) -> (Void) null)).thenRunAsync(task, pool));
        }

        @Override
        public void close() {
            pool.shutdownNow();
        }
    }

    /** Acknowledges every record when it finished; the container orders the commits and pauses meanwhile. */
    private static final class AsyncAcks implements AcknowledgingMessageListener<byte[], byte[]> {
        private final PerKeyExecutors executors;
        private final Consumer<ConsumerRecord<byte[], byte[]>> handler;

        AsyncAcks(PerKeyExecutors executors, Consumer<ConsumerRecord<byte[], byte[]>> handler) {
            this.executors = executors;
            this.handler = handler;
        }

        @Override
        public void onMessage(ConsumerRecord<byte[], byte[]> record, Acknowledgment acknowledgment) {
            executors.submit(record, () -> {
                handler.accept(record);
                acknowledgment.acknowledge();
            });
        }
    }
}
