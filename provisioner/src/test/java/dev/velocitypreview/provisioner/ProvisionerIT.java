package dev.velocitypreview.provisioner;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;
import io.micrometer.core.instrument.MeterRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The provisioner as it runs: real Kafka, real PostgreSQL, real local machines. */
class ProvisionerIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private static Path machinesRoot;
    private static CommandTopic commands;
    private static NamedParameterJdbcTemplate jdbc;
    private static ConfigurableApplicationContext provisioner;
    private static MachineDriver driver;

    private static String group;

    @BeforeAll
    static void startProvisioner() throws IOException {
        String bootstrap = TestKafka.shared().bootstrapServers();
        TestDatabase db = TestPostgres.shared().createDatabase();
        jdbc = new NamedParameterJdbcTemplate(db.dataSource());
        machinesRoot = Files.createTempDirectory("provisioner-it-machines");
        commands = new CommandTopic(bootstrap);
        group = "provisioner-it-" + UUID.randomUUID();
        commands.startGroupAtEnd(group);
        provisioner = ProvisionerApplication.start(Map.of(
                "spring.datasource.url", db.jdbcUrl(),
                "spring.datasource.username", db.username(),
                "spring.datasource.password", db.password(),
                "velocity.provisioner.kafka.bootstrap-servers", bootstrap,
                "velocity.provisioner.kafka.group-id", group,
                "velocity.provisioner.ready-timeout", "30s",
                "velocity.provisioner.machines.local.root-dir", machinesRoot.toString()));
        driver = provisioner.getBean(MachineDriver.class);
    }

    @AfterAll
    static void stopProvisioner() {
        if (provisioner != null) {
            driver.list().forEach(machine -> driver.destroy(machine.id()));
            provisioner.close();
        }
        if (commands != null) {
            commands.close();
        }
    }

    @Test
    void createdSessionBecomesActiveOnAMachineThatServesTheProjectPage() throws Exception {
        SessionCommand.Create create = create();

        commands.publish(create);

        Map<String, Object> row = awaitStatus(create.sessionId(), "ACTIVE");
        assertThat(row.get("version")).isEqualTo(3L);
        assertThat(row.get("machine_id")).isNotNull();
        HttpResponse<String> page = get(URI.create((String) row.get("machine_url")).resolve("/").toString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(create.projectId().toString());
    }

    @Test
    void createDeliveredTwiceYieldsOneMachineAndOneRow() {
        SessionCommand.Create create = create();
        double skippedBefore = skippedCreates();

        commands.publish(create);
        commands.publish(create);

        awaitStatus(create.sessionId(), "ACTIVE");
        await().atMost(PATIENCE).until(() -> skippedCreates() == skippedBefore + 1);
        assertThat(machinesOf(create.sessionId())).hasSize(1);
        assertThat(row(create.sessionId()).get("version")).isEqualTo(3L);
        assertThat(jdbc.queryForObject("SELECT count(*) FROM preview_sessions WHERE id = :id",
                Map.of("id", create.sessionId()), Long.class)).isEqualTo(1L);
    }

    @Test
    void terminateStopsTheMachineProcessAndEndsTheSessionWithReasonUser() throws Exception {
        SessionCommand.Create create = create();
        commands.publish(create);
        String url = (String) awaitStatus(create.sessionId(), "ACTIVE").get("machine_url");

        commands.publish(SessionCommand.terminate(create.sessionId(), create.userId(), TerminationReason.USER,
                Instant.now()));

        Map<String, Object> row = awaitStatus(create.sessionId(), "TERMINATED");
        assertThat(row.get("status_reason")).isEqualTo("user");
        assertThat(row.get("terminated_at")).isNotNull();
        assertThat(driver.findBySession(create.sessionId())).isEmpty();
        assertThatThrownBy(() -> get(url)).as("nothing answers at the machine's address").isInstanceOf(IOException.class);
    }

    @Test
    void aProjectWithAnUnsafePathFailsTheSessionNamingTheFileAndLeavesNoMachine() {
        UUID projectId = UUID.randomUUID();
        jdbc.update("INSERT INTO projects (id, name, owner_id) VALUES (:id, 'evil', 'user-1')", Map.of("id", projectId));
        for (String path : List.of("index.html", "../evil")) {
            jdbc.update("""
                    INSERT INTO project_files (id, project_id, file_path, content, size)
                    VALUES (:id, :project, :path, 'hello', 5)""",
                    Map.of("id", UUID.randomUUID(), "project", projectId, "path", path));
        }
        SessionCommand.Create create = create(projectId);

        commands.publish(create);

        Map<String, Object> row = awaitStatus(create.sessionId(), "FAILED");
        assertThat((String) row.get("error")).contains("../evil");
        assertThat(driver.findBySession(create.sessionId())).isEmpty();
    }

    @Test
    void poisonedRecordsGoToTheDeadLetterTopicWithTheirOriginAndTheNextCommandIsStillProcessed() {
        Map<TopicPartition, Long> dltStart = commands.endOffsets(Topics.SESSION_COMMANDS_DLT.name());
        String garbageKey = UUID.randomUUID().toString();
        SessionCommand misKeyed = create();
        String wrongKey = UUID.randomUUID().toString();
        String unknownTypeKey = UUID.randomUUID().toString();
        SessionCommand good = create();

        commands.publish(garbageKey, new byte[] {(byte) 0xde, (byte) 0xad, 0x00, 0x7b});
        commands.publish(wrongKey, SessionCommandCodec.encode(misKeyed));
        commands.publish(unknownTypeKey, ("{\"commandId\":\"" + UUID.randomUUID() + "\",\"type\":\"EXPLODE\",\"sessionId\":\""
                + unknownTypeKey + "\",\"userId\":\"u\",\"issuedAt\":\"2026-01-01T00:00:00Z\"}").getBytes(StandardCharsets.UTF_8));
        commands.publish(good);

        awaitStatus(good.sessionId(), "ACTIVE");
        List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(dltStart, List.of(garbageKey, wrongKey, unknownTypeKey));
        assertThat(letters).hasSize(3);
        for (ConsumerRecord<byte[], byte[]> letter : letters) {
            // spring-kafka's standard headers, in its own encodings, so its tools can replay the letters
            assertThat(header(letter, KafkaHeaders.DLT_ORIGINAL_TOPIC)).isEqualTo(Topics.SESSION_COMMANDS.name());
            int partition = ByteBuffer.wrap(letter.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_PARTITION).value()).getInt();
            long offset = ByteBuffer.wrap(letter.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_OFFSET).value()).getLong();
            assertThat(commands.valueAt(partition, offset)).as("the letter is the original record, byte for byte")
                    .isEqualTo(letter.value());
            assertThat(header(letter, KafkaHeaders.DLT_EXCEPTION_FQCN)).isNotBlank();
            assertThat(header(letter, KafkaHeaders.DLT_ORIGINAL_CONSUMER_GROUP)).isEqualTo(group);
            assertThat(letter.headers().lastHeader(KafkaHeaders.DLT_ORIGINAL_TIMESTAMP)).isNotNull();
        }
        assertThat(letters).extracting(l -> header(l, KafkaHeaders.DLT_EXCEPTION_MESSAGE))
                .anySatisfy(reason -> assertThat(reason).contains(wrongKey).contains(misKeyed.sessionId().toString()))
                .anySatisfy(reason -> assertThat(reason).contains("unknown command type"));
        assertThat(jdbc.queryForObject("SELECT count(*) FROM preview_sessions WHERE id = :id",
                Map.of("id", misKeyed.sessionId()), Long.class)).as("a mis-keyed command changes nothing").isZero();
    }

    @Test
    void aCommandThisProvisionerDoesNotHandleYetIsDeadLetteredNotSkippedAndTheSessionsNextCommandStillApplies() {
        SessionCommand.Create create = create();
        commands.publish(create);
        awaitStatus(create.sessionId(), "ACTIVE");
        Map<TopicPartition, Long> dltStart = commands.endOffsets(Topics.SESSION_COMMANDS_DLT.name());

        commands.publish(SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now()));
        commands.publish(SessionCommand.terminate(create.sessionId(), create.userId(), TerminationReason.USER,
                Instant.now()));

        Map<String, Object> row = awaitStatus(create.sessionId(), "TERMINATED");
        assertThat(row.get("version")).as("ACTIVE (3), STOPPING, TERMINATED: the suspend wrote nothing").isEqualTo(5L);
        List<ConsumerRecord<byte[], byte[]>> letters = deadLetters(dltStart, List.of(create.sessionId().toString()));
        assertThat(letters).singleElement().satisfies(letter -> {
            assertThat(SessionCommandCodec.decode(letter.value())).isInstanceOf(SessionCommand.Suspend.class);
            assertThat(header(letter, KafkaHeaders.DLT_EXCEPTION_MESSAGE))
                    .isEqualTo("suspend is not handled by this provisioner");
        });
    }

    private static List<ConsumerRecord<byte[], byte[]>> deadLetters(Map<TopicPartition, Long> from, List<String> keys) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            await().atMost(PATIENCE).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && keys.contains(new String(record.key(), StandardCharsets.UTF_8))) {
                        found.add(record);
                    }
                }
                return found.size() >= keys.size();
            });
        }
        return found;
    }

    private static String header(ConsumerRecord<byte[], byte[]> record, String name) {
        return record.headers().lastHeader(name) == null ? null
                : new String(record.headers().lastHeader(name).value(), StandardCharsets.UTF_8);
    }

    private static Map<String, Object> awaitStatus(UUID sessionId, String status) {
        await().atMost(PATIENCE).pollInterval(Duration.ofMillis(100))
                .until(() -> status.equals(row(sessionId).get("status")));
        return row(sessionId);
    }

    private static Map<String, Object> row(UUID sessionId) {
        List<Map<String, Object>> rows = jdbc.queryForList("SELECT * FROM preview_sessions WHERE id = :id",
                Map.of("id", sessionId));
        return rows.isEmpty() ? Map.of() : rows.get(0);
    }

    private static HttpResponse<String> get(String url) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static SessionCommand.Create create() {
        return create(UUID.randomUUID());
    }

    private static SessionCommand.Create create(UUID projectId) {
        return SessionCommand.create(UUID.randomUUID(), "user-1", projectId, Tier.FREE, Visibility.PUBLIC,
                Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }

    private static double skippedCreates() {
        return provisioner.getBean(MeterRegistry.class)
                .counter("velocity.provisioner.commands", "type", "CREATE", "outcome", "skipped").count();
    }

    private static List<Machine> machinesOf(UUID sessionId) {
        return driver.list().stream().filter(m -> m.sessionId().equals(sessionId)).toList();
    }
}
