package dev.velocitypreview.faults;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 5: poisoned records on the command topic and on the changelog. Commands the provisioner
 * cannot read or must not apply go to the dead-letter topic with a reason; a tombstone among them is
 * no poison and is skipped; changelog records the views cannot read are skipped with a logged reason. Every consumer keeps going: a good session
 * requested afterwards is provisioned and served by both routers.
 */
class PoisonedRecordsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static FaultPlatform platform;

    @BeforeAll
    static void platform() {
        platform = FaultPlatform.shared();
        platform.ensureStandard();
    }

    @Test
    void poisonedCommandsAreDeadLetteredPoisonedChangesSkippedAndConsumersKeepGoing() throws Exception {
        long started = System.nanoTime();
        Map<String, Poison> commandPoisons = new LinkedHashMap<>();
        UUID id = UUID.randomUUID();
        byte[] garbage = new byte[512];
        new Random(42).nextBytes(garbage);
        commandPoisons.put("garbage bytes", new Poison(id.toString().getBytes(StandardCharsets.UTF_8), garbage));
        commandPoisons.put("wrong schema", poison(id, "{\"hello\":\"world\",\"sessionId\":42}"));
        commandPoisons.put("unknown command type", mutated(id, node -> node.put("type", "EXPLODE")));
        commandPoisons.put("unknown tier", mutated(id, node -> node.put("tier", "galactic")));
        commandPoisons.put("negative ttl", mutated(id, node -> node.put("ttl", "-PT5M")));
        commandPoisons.put("issued in year 9999", mutated(id, node -> node.put("issuedAt", "9999-12-31T23:59:59Z")));
        commandPoisons.put("5000-character user id", mutated(id, node -> node.put("userId", "u".repeat(5000))));
        commandPoisons.put("key is another session", new Poison(UUID.randomUUID().toString()
                .getBytes(StandardCharsets.UTF_8), valid(id)));

        Map<String, Poison> changePoisons = new LinkedHashMap<>();
        UUID fake = UUID.randomUUID();
        changePoisons.put("garbage bytes", new Poison(fake.toString().getBytes(StandardCharsets.UTF_8), garbage));
        changePoisons.put("wrong schema", poison(fake, "[1,2,3]"));
        changePoisons.put("unknown status", poison(fake, "{\"id\":\"" + fake + "\",\"status\":\"EXPLODED\",\"version\":1}"));
        changePoisons.put("negative version", poison(fake, "{\"id\":\"" + fake + "\",\"status\":\"ACTIVE\",\"version\":-5}"));
        changePoisons.put("id not a uuid", poison(fake, "{\"id\":\"../../etc\",\"status\":\"ACTIVE\",\"version\":1}"));

        long rowsBefore = platform.rows().size();
        Map<String, String> commandOffsets = new LinkedHashMap<>();
        RecordMetadata tombstone;
        try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
            // not a poison: cleanup writes one beside each PURGE; the provisioner skips it
            tombstone = producer.send(new ProducerRecord<>(Topics.SESSION_COMMANDS.name(),
                    id.toString().getBytes(StandardCharsets.UTF_8), null)).get();
            for (Map.Entry<String, Poison> poison : commandPoisons.entrySet()) {
                var stored = producer.send(new ProducerRecord<>(Topics.SESSION_COMMANDS.name(),
                        poison.getValue().key(), poison.getValue().value())).get();
                commandOffsets.put(poison.getKey(), stored.partition() + "@" + stored.offset());
            }
            for (Poison poison : changePoisons.values()) {
                producer.send(new ProducerRecord<>(Topics.SESSIONS.name(), poison.key(), poison.value())).get();
            }
        }

        Map<String, String> reasons = new HashMap<>();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            reasons.putAll(deadLetterReasons());
            assertThat(reasons.keySet()).as("dead-lettered command offsets")
                    .containsAll(commandOffsets.values());
        });
        commandOffsets.forEach((name, offset) -> assertThat(reasons.get(offset)).as("reason for " + name).isNotBlank());
        assertThat(reasons).as("a tombstone is skipped, not dead-lettered")
                .doesNotContainKey(tombstone.partition() + "@" + tombstone.offset());
        TopicPartition tombstonePartition = new TopicPartition(tombstone.topic(), tombstone.partition());
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(committed(tombstonePartition))
                .as("the provisioner committed past the tombstone").isGreaterThan(tombstone.offset()));

        // the consumers kept going: a good session after the poison works end to end, on both routers
        SessionApi.Answer answer = platform.request("poison");
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        UUID good = answer.sessionId();
        await().atMost(Duration.ofSeconds(60))
                .until(() -> platform.rows().get(good) != null && platform.rows().get(good).status() == SessionStatus.ACTIVE);
        for (String router : List.of("r1", "r2")) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Audit.get(java.net.URI.create(
                    "http://127.0.0.1:" + platform.routerPorts.get(router) + "/s/" + good + "/")).statusCode())
                    .isEqualTo(200));
        }
        assertThat(platform.rows()).as("no poison became a session").hasSize((int) rowsBefore + 1);
        int skipLines = 0;
        for (String router : List.of("r1", "r2", "api")) {
            int lines = platform.service(router).logLines("Deserialization");
            assertThat(lines).as(router + " logged why it skipped the poisoned changes").isPositive();
            skipLines += lines;
        }

        Audit.Report report = Audit.run(platform);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("poisoned commands", commandPoisons.size());
        figures.put("dead-lettered", commandOffsets.size());
        figures.put("tombstones skipped", 1);
        figures.put("poisoned changes", changePoisons.size());
        figures.put("skip lines logged by r1+r2+api", skipLines);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("5 poisoned records", figures);
        List<String> sample = new ArrayList<>();
        commandOffsets.forEach((name, offset) -> sample.add(name + " -> " + reasons.get(offset)));
        platform.figures("5 dead-letter reasons", Map.of("reasons", sample));
        platform.terminateActiveSessions();
    }

    private record Poison(byte[] key, byte[] value) {
    }

    private static Poison poison(UUID key, String value) {
        return new Poison(key.toString().getBytes(StandardCharsets.UTF_8), value.getBytes(StandardCharsets.UTF_8));
    }

    private static byte[] valid(UUID id) {
        return SessionCommandCodec.encode(SessionCommand.create(id, "poison-user", UUID.randomUUID(), "react", Tier.FREE,
                Visibility.PUBLIC, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10),
                Instant.now()));
    }

    private static Poison mutated(UUID id, Consumer<ObjectNode> change) {
        ObjectNode node = (ObjectNode) JSON.readTree(valid(id));
        change.accept(node);
        return new Poison(id.toString().getBytes(StandardCharsets.UTF_8), JSON.writeValueAsBytes(node));
    }

    /** The provisioners' committed position on {@code partition}, or -1 before their first commit there. */
    private static long committed(TopicPartition partition) throws Exception {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG,
                platform.kafka.bootstrapServers()))) {
            OffsetAndMetadata offset = admin.listConsumerGroupOffsets(FaultPlatform.GROUP).partitionsToOffsetAndMetadata()
                    .get(30, TimeUnit.SECONDS).get(partition);
            return offset == null ? -1 : offset.offset();
        }
    }

    /** Original {@code partition@offset} on the command topic → the reason header, for every dead letter. */
    private static Map<String, String> deadLetterReasons() {
        Map<String, String> reasons = new HashMap<>();
        try (KafkaConsumer<byte[], byte[]> consumer = platform.consumer()) {
            List<TopicPartition> partitions = FaultPlatform.partitions(consumer, Topics.SESSION_COMMANDS_DLT.name());
            if (partitions.isEmpty()) {
                return reasons;
            }
            consumer.assign(partitions);
            consumer.seekToBeginning(partitions);
            Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
            while (partitions.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    // spring-kafka's standard headers: partition and offset as big-endian int and long
                    int partition = ByteBuffer.wrap(record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION).value()).getInt();
                    long offset = ByteBuffer.wrap(record.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET).value()).getLong();
                    reasons.put(partition + "@" + offset, header(record, KafkaHeaders.DLT_EXCEPTION_MESSAGE));
                }
            }
        }
        return reasons;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        Header header = record.headers().lastHeader(name);
        return header == null ? "" : new String(header.value(), StandardCharsets.UTF_8);
    }
}
