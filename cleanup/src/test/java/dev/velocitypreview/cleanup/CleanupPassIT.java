package dev.velocitypreview.cleanup;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.core.DefaultKafkaConsumerFactory;
import org.springframework.kafka.core.DefaultKafkaProducerFactory;
import org.springframework.kafka.listener.ContainerProperties;
import org.springframework.kafka.listener.GenericMessageListenerContainer;
import org.springframework.kafka.listener.KafkaMessageListenerContainer;
import org.springframework.kafka.requestreply.AggregatingReplyingKafkaTemplate;
import org.springframework.kafka.requestreply.RequestReplyFuture;

import dev.velocitypreview.core.cleanup.CleanupReport;
import dev.velocitypreview.core.cleanup.CleanupRequest;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestClock;

import static dev.velocitypreview.cleanup.CleanupTopicsFixture.row;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A pass on demand, asked for the way the session API asks: one request per partition of
 * {@code preview.cleanup-requests} through spring-kafka's {@link AggregatingReplyingKafkaTemplate}, each answered
 * by the owner of its partition with a report on the reply topic. Its own broker, so the reports count only this
 * test's sessions; ticks and listings are an hour apart, so only the pass can have acted.
 */
class CleanupPassIT {

    private static final TestClock clock = TestClock.stoppedAt(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private static final ListedMachines machines = new ListedMachines();
    private static TestKafka kafka;
    private static CleanupTopicsFixture topics;
    private static RunningCleanup cleanup;
    private static AggregatingReplyingKafkaTemplate<String, CleanupRequest, CleanupReport> template;

    @BeforeAll
    @SuppressWarnings({"unchecked", "rawtypes"})
    static void start() throws InterruptedException {
        kafka = TestKafka.startDedicated();
        topics = new CleanupTopicsFixture(kafka.bootstrapServers());
        cleanup = RunningCleanup.start(kafka.bootstrapServers(), "cleanup", clock, machines, Map.of(
                "velocity.cleanup.tick", "1h", "velocity.cleanup.orphan-interval", "1h")).awaitRunning();
        DefaultKafkaProducerFactory<String, CleanupRequest> producers = new DefaultKafkaProducerFactory<>(
                Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()),
                Topics.CLEANUP_REQUESTS.keySerde().serializer(), Topics.CLEANUP_REQUESTS.valueSerde().serializer());
        DefaultKafkaConsumerFactory<String, CleanupReport> consumers = new DefaultKafkaConsumerFactory<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.GROUP_ID_CONFIG, "cleanup-pass-it-replies",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"),
                Topics.CLEANUP_REPORTS.keySerde().deserializer(), Topics.CLEANUP_REPORTS.valueSerde().deserializer());
        ContainerProperties container = new ContainerProperties(Topics.CLEANUP_REPORTS.name());
        container.setAckMode(ContainerProperties.AckMode.MANUAL); // the aggregating template acknowledges on release
        KafkaMessageListenerContainer<String, CleanupReport> replies = new KafkaMessageListenerContainer<>(consumers, container);
        template = new AggregatingReplyingKafkaTemplate<>(producers,
                (GenericMessageListenerContainer) replies, (reports, timedOut) -> !reports.isEmpty() || timedOut);
        template.setDefaultReplyTimeout(Duration.ofSeconds(30));
        template.start();
        assertThat(template.waitForAssignment(Duration.ofSeconds(30))).isTrue();
    }

    @AfterAll
    static void stop() {
        if (template != null) {
            template.stop();
        }
        if (cleanup != null) {
            cleanup.close();
        }
        if (topics != null) {
            topics.close();
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    @Test
    void passOnEveryPartitionIssuesWhatIsDueAndReportsIt() throws Exception {
        Instant now = clock.instant();
        UUID expired = UUID.randomUUID();
        UUID idle = UUID.randomUUID();
        UUID orphaned = UUID.randomUUID();
        topics.publish(row(expired, SessionStatus.ACTIVE, 3, now.minusSeconds(120), now.minusSeconds(1),
                Duration.ofHours(1), null));
        topics.publish(row(idle, SessionStatus.ACTIVE, 3, now.minus(Duration.ofMinutes(20)), now.plus(Duration.ofDays(1)),
                Duration.ofMinutes(10), null));
        machines.add(CleanupIT.machine("local-0000000000d1", orphaned, now.minus(Duration.ofHours(1))));
        await().atMost(Duration.ofSeconds(10)).until(() -> cleanup.tracked(expired) != null && cleanup.tracked(idle) != null);
        clock.advance(Duration.ofSeconds(1));

        CleanupReport total = passOnEveryPartition();

        assertThat(total.partitions()).isEqualTo(CleanupTopicsFixture.PARTITIONS);
        assertThat(total.expired()).isEqualTo(1);
        assertThat(total.suspended()).isEqualTo(1);
        assertThat(total.orphansDestroyed()).isEqualTo(1);
        assertThat(total.errors()).isZero();
        await().atMost(Duration.ofSeconds(5)).until(() -> topics.commandsFor(expired, SessionCommand.Type.TERMINATE).size() == 1
                && topics.commandsFor(idle, SessionCommand.Type.SUSPEND).size() == 1
                && topics.commandsFor(orphaned, SessionCommand.Type.REAP_MACHINE).size() == 1);

        CleanupReport again = passOnEveryPartition();

        assertThat(again.expired() + again.suspended() + again.orphansDestroyed()).as("nothing is issued twice").isZero();
    }

    @Test
    void failedListingIsAnErrorOfThePassAndReapsNothing() throws Exception {
        UUID orphaned = UUID.randomUUID();
        machines.add(CleanupIT.machine("local-0000000000d2", orphaned, clock.instant().minus(Duration.ofHours(1))));
        machines.failing(true);
        try {
            CleanupReport total = passOnEveryPartition();

            assertThat(total.errors()).isEqualTo(CleanupTopicsFixture.PARTITIONS);
            assertThat(total.lastError()).contains("listing refused by the test");
            assertThat(total.orphansDestroyed()).isZero();
            assertThat(topics.writtenFor(orphaned)).isEmpty();
        } finally {
            machines.failing(false);
            machines.remove("local-0000000000d2");
        }
    }

    /** What the session API does for {@code POST /v1/admin/cleanup}: one request per partition, the reports added up. */
    private static CleanupReport passOnEveryPartition() throws Exception {
        List<RequestReplyFuture<String, CleanupRequest, Collection<ConsumerRecord<String, CleanupReport>>>> pending = new ArrayList<>();
        for (int partition = 0; partition < CleanupTopicsFixture.PARTITIONS; partition++) {
            pending.add(template.sendAndReceive(new ProducerRecord<>(Topics.CLEANUP_REQUESTS.name(), partition, null,
                    new CleanupRequest(Instant.now()))));
        }
        CleanupReport total = CleanupReport.empty(null);
        for (RequestReplyFuture<String, CleanupRequest, Collection<ConsumerRecord<String, CleanupReport>>> future : pending) {
            for (ConsumerRecord<String, CleanupReport> reply : future.get(30, TimeUnit.SECONDS).value()) {
                total = total.plus(reply.value());
            }
        }
        return total;
    }
}
