package dev.velocitypreview.provisioner;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.SmartLifecycle;

import dev.velocitypreview.provisioner.commands.CommandConsumers;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The command consumer on a real broker, with a record processor that holds records on cue. */
class CommandConsumerIT {

    private static final Duration PATIENCE = Duration.ofSeconds(30);

    private final CountDownLatch release = new CountDownLatch(1);
    private final Set<String> started = ConcurrentHashMap.newKeySet();
    private final Set<String> finished = ConcurrentHashMap.newKeySet();
    private CommandTopic commands;
    private String group;
    private SmartLifecycle consumer;

    @BeforeEach
    void group() {
        commands = new CommandTopic(TestKafka.shared().bootstrapServers());
        group = "command-consumer-it-" + UUID.randomUUID();
        commands.startGroupAtEnd(group);
    }

    @AfterEach
    void stop() {
        release.countDown();
        if (consumer != null) {
            consumer.stop();
        }
        commands.close();
    }

    @Test
    void stoppingLetsTheCommandsThatStartedFinishAndCommitsThem() throws Exception {
        consumer = start(16, 256);
        String session = UUID.randomUUID().toString();
        RecordMetadata held = commands.publish(session, new byte[0]);
        await().atMost(PATIENCE).until(() -> started.contains(session));

        CompletableFuture<Void> stopping = CompletableFuture.runAsync(consumer::stop);
        await().during(Duration.ofMillis(500)).atMost(PATIENCE).until(() -> !stopping.isDone());
        release.countDown();
        stopping.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        assertThat(finished).containsExactly(session);
        assertThat(commands.committedOffsets(group).get(new TopicPartition(held.topic(), held.partition())))
                .as("the command that finished while stopping is committed").isEqualTo(held.offset() + 1);
    }

    @Test
    void fetchingPausesWhileTooManyCommandsAreInFlightAndResumesOnceTheyFinished() {
        consumer = start(4, 1);
        String first = UUID.randomUUID().toString();
        String second = UUID.randomUUID().toString();
        String third = UUID.randomUUID().toString();
        commands.publish(first, new byte[0]);
        await().atMost(PATIENCE).until(() -> started.contains(first));
        commands.publish(second, new byte[0]);
        commands.publish(third, new byte[0]);

        await().during(Duration.ofSeconds(1)).atMost(PATIENCE)
                .until(() -> started.equals(Set.of(first)));
        release.countDown();

        await().atMost(PATIENCE).until(() -> finished.equals(Set.of(first, second, third)));
    }

    @Test
    void aStoppedConsumerLeavesItsGroupAtOnceEvenAsAStaticMember() {
        release.countDown();
        Set<String> byOne = ConcurrentHashMap.newKeySet();
        Set<String> byOther = ConcurrentHashMap.newKeySet();
        consumer = start(4, 256, Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group + "-one",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "45000"), byOne);
        SmartLifecycle other = start(4, 256, Map.of(ConsumerConfig.GROUP_INSTANCE_ID_CONFIG, group + "-other",
                ConsumerConfig.SESSION_TIMEOUT_MS_CONFIG, "45000"), byOther);
        // commands on random partitions until both members processed some: each holds partitions now
        await().atMost(PATIENCE).until(() -> {
            commands.publish(UUID.randomUUID().toString(), new byte[0]);
            return !byOne.isEmpty() && !byOther.isEmpty();
        });

        other.stop();
        // one command on every partition, the stopped member's included
        Map<Integer, String> afterwards = new HashMap<>();
        int partitions = commands.partitions();
        while (afterwards.size() < partitions) {
            UUID key = UUID.randomUUID();
            afterwards.putIfAbsent(commands.partitionOf(key), key.toString());
        }
        afterwards.values().forEach(key -> commands.publish(key, new byte[0]));

        await("the other member's partitions taken over well within the 45 s session timeout")
                .atMost(Duration.ofSeconds(20)).until(() -> finished.containsAll(afterwards.values()));
    }

    private SmartLifecycle start(int workers, int maxInFlight) {
        return start(workers, maxInFlight, Map.of(), ConcurrentHashMap.newKeySet());
    }

    private SmartLifecycle start(int workers, int maxInFlight, Map<String, Object> more, Set<String> processedHere) {
        Map<String, Object> config = new HashMap<>(more);
        config.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers());
        config.put(ConsumerConfig.GROUP_ID_CONFIG, group);
        SmartLifecycle started = CommandConsumers.lanes(config,
                new ProvisionerSettings.Concurrency(workers, maxInFlight, PATIENCE), Duration.ofMillis(100),
                record -> {
                    process(record);
                    processedHere.add(new String(record.key(), StandardCharsets.UTF_8));
                });
        started.start();
        return started;
    }

    /** Holds every command until released. */
    private void process(ConsumerRecord<byte[], byte[]> record) {
        String key = new String(record.key(), StandardCharsets.UTF_8);
        started.add(key);
        try {
            assertThat(release.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        finished.add(key);
    }
}
