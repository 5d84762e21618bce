package dev.velocitypreview.provisioner;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.files.FileChange;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileRefusal;
import dev.velocitypreview.core.files.FileRules;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestDirectories;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** File commands applied by the provisioner as it runs: real Kafka, real PostgreSQL, replies as the API reads them. */
class ProjectFileCommandsIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);
    private static final String OWNER = "owner-1";

    private static NamedParameterJdbcTemplate jdbc;
    private static ConfigurableApplicationContext provisioner;
    private static KafkaProducer<String, FileCommand> producer;
    private static KafkaConsumer<String, FileOutcome> replies;
    private static final List<ConsumerRecord<String, FileOutcome>> received = new ArrayList<>();

    private static Path machinesRoot;

    @BeforeAll
    static void startProvisioner() throws Exception {
        String bootstrap = TestKafka.shared().bootstrapServers();
        TestDatabase db = TestPostgres.shared().createDatabase();
        jdbc = new NamedParameterJdbcTemplate(db.dataSource());
        machinesRoot = TestDirectories.create("provisioner-files-it-machines");
        provisioner = ProvisionerApplication.start(Map.ofEntries(
                Map.entry("server.port", 0),
                Map.entry("velocity.provisioner.cdc.slot-name", "provisioner_files_it_" + UUID.randomUUID().toString().replace("-", "")),
                Map.entry("spring.datasource.url", db.jdbcUrl()),
                Map.entry("spring.datasource.username", db.username()),
                Map.entry("spring.datasource.password", db.password()),
                Map.entry("velocity.provisioner.kafka.bootstrap-servers", bootstrap),
                Map.entry("velocity.provisioner.kafka.group-id", "provisioner-files-it-" + UUID.randomUUID()),
                Map.entry("velocity.provisioner.machines.local.root-dir", machinesRoot.toString())));
        Properties producerConfig = new Properties();
        producerConfig.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        producerConfig.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 16 << 20);
        producer = new KafkaProducer<>(producerConfig, new StringSerializer(),
                Topics.PROJECT_FILE_COMMANDS.valueSerde().serializer());
        Properties consumerConfig = new Properties();
        consumerConfig.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        replies = new KafkaConsumer<>(consumerConfig, new StringDeserializer(),
                Topics.PROJECT_FILE_REPLIES.valueSerde().deserializer());
        TopicPartition partition = new TopicPartition(Topics.PROJECT_FILE_REPLIES.name(), 0);
        // the provisioner created the topics at start
        replies.assign(List.of(partition));
        replies.seekToEnd(List.of(partition));
        replies.position(partition);
    }

    @AfterAll
    static void stop() {
        if (producer != null) {
            producer.close();
        }
        if (replies != null) {
            replies.close();
        }
        if (provisioner != null) {
            provisioner.close();
        }
        TestDirectories.remove(machinesRoot);
    }

    @Test
    void aWriteDeliveredTwiceIsAppliedOnceAndBothDeliveriesGetTheSameOutcome() {
        UUID project = project(OWNER);
        FileCommand write = write(project, OWNER, new FileChange.Put("src/App.jsx", "export default 1;\n", null));

        String first = send(write);
        String second = send(write);

        FileOutcome one = awaitReply(first);
        FileOutcome two = awaitReply(second);
        assertThat(one).isInstanceOf(FileOutcome.Applied.class).isEqualTo(two);
        FileOutcome.FileResult file = ((FileOutcome.Applied) one).files().get(0);
        assertThat(file.version()).isEqualTo(1);
        assertThat(file.size()).isEqualTo(18);
        assertThat(file.sha256()).isEqualTo(FileRules.sha256("export default 1;\n"));
        assertThat(row(project, "src/App.jsx")).containsEntry("version", 1L).containsEntry("content", "export default 1;\n")
                .containsEntry("size", 18L);
    }

    @Test
    void aStaleIfMatchIsRefusedAndChangesNothing() {
        UUID project = project(OWNER);
        applied(write(project, OWNER, new FileChange.Put("a.txt", "one", null)));
        applied(write(project, OWNER, new FileChange.Put("a.txt", "two", 1L)));

        FileOutcome stale = awaitReply(send(write(project, OWNER, new FileChange.Put("a.txt", "three", 1L))));
        FileOutcome missing = awaitReply(send(write(project, OWNER, new FileChange.Put("b.txt", "x", 1L))));

        assertThat(refusal(stale)).satisfies(refusal -> {
            assertThat(refusal.code()).isEqualTo(FileRefusal.STALE_VERSION);
            assertThat(refusal.status()).isEqualTo(412);
            assertThat(refusal.currentVersion()).isEqualTo(2L);
        });
        assertThat(refusal(missing).code()).isEqualTo(FileRefusal.STALE_VERSION);
        assertThat(refusal(missing).currentVersion()).isNull();
        assertThat(row(project, "a.txt")).containsEntry("version", 2L).containsEntry("content", "two");
        assertThat(paths(project)).containsExactly("a.txt");
    }

    @Test
    void aBatchWithOneBadChangeChangesNothing() {
        UUID project = project(OWNER);
        applied(write(project, OWNER, new FileChange.Put("keep.txt", "kept", null)));

        FileOutcome outcome = awaitReply(send(write(project, OWNER,
                new FileChange.Put("new.txt", "new", null),
                new FileChange.Delete("keep.txt", null),
                new FileChange.Put("../escape.txt", "bad", null))));

        assertThat(refusal(outcome).code()).isEqualTo(FileRefusal.DOT_SEGMENT);
        assertThat(paths(project)).containsExactly("keep.txt");
        assertThat(row(project, "keep.txt")).containsEntry("version", 1L);
    }

    @Test
    void theRulesAreCheckedAgainWhereTheyAreApplied() {
        UUID project = project(OWNER);
        FileOutcome tooLarge = awaitReply(send(write(project, OWNER,
                new FileChange.Put("big.txt", "a".repeat((1 << 20) + 1), null))));
        FileOutcome lock = awaitReply(send(write(project, OWNER,
                new FileChange.Put("package-lock.json", "{\"name\":\"x\"}", null))));
        FileOutcome reserved = awaitReply(send(write(project, OWNER,
                new FileChange.Put("node_modules/x/index.js", "x", null))));

        assertThat(refusal(tooLarge).code()).isEqualTo(FileRefusal.FILE_TOO_LARGE);
        assertThat(refusal(lock).code()).isEqualTo(FileRefusal.INVALID_PACKAGE_LOCK);
        assertThat(refusal(reserved).code()).isEqualTo(FileRefusal.RESERVED_SEGMENT);
        assertThat(paths(project)).isEmpty();
    }

    @Test
    void theProjectLimitsCountWhatIsStoredAlready() {
        UUID project = project(OWNER);
        String half = "a".repeat(1 << 20);
        // 50 MiB stored, in 50 files of the largest size
        for (int i = 0; i < 50; i += 10) {
            List<FileChange> changes = new ArrayList<>();
            for (int j = i; j < i + 10; j++) {
                changes.add(new FileChange.Put("f" + j + ".txt", half, null));
            }
            applied(new FileCommand.Write(UUID.randomUUID(), project, OWNER, changes, Instant.now()));
        }

        FileOutcome outcome = awaitReply(send(write(project, OWNER, new FileChange.Put("one-more.txt", "x", null))));
        FileOutcome replacing = awaitReply(send(write(project, OWNER, new FileChange.Put("f0.txt", "smaller", null))));

        assertThat(refusal(outcome).code()).isEqualTo(FileRefusal.PROJECT_TOO_LARGE);
        assertThat(replacing).isInstanceOf(FileOutcome.Applied.class);
        assertThat(paths(project)).hasSize(50).doesNotContain("one-more.txt");
    }

    @Test
    void aWriteToAnotherUsersProjectIsRefusedAsAnUnknownProject() {
        UUID project = project(OWNER);

        FileOutcome stranger = awaitReply(send(write(project, "someone-else", new FileChange.Put("a.txt", "x", null))));
        FileOutcome unknown = awaitReply(send(write(UUID.randomUUID(), OWNER, new FileChange.Put("a.txt", "x", null))));

        assertThat(refusal(stranger).code()).isEqualTo(FileRefusal.PROJECT_NOT_FOUND);
        assertThat(refusal(stranger).status()).isEqualTo(404);
        assertThat(refusal(unknown).code()).isEqualTo(FileRefusal.PROJECT_NOT_FOUND);
        assertThat(paths(project)).isEmpty();
    }

    @Test
    void aDeleteRemovesTheRowAndAnswersTheVersionItHad() {
        UUID project = project(OWNER);
        applied(write(project, OWNER, new FileChange.Put("a.txt", "one", null)));
        applied(write(project, OWNER, new FileChange.Put("a.txt", "two", null)));

        FileOutcome.Applied deleted = applied(write(project, OWNER, new FileChange.Delete("a.txt", 2L)));
        FileOutcome again = awaitReply(send(write(project, OWNER, new FileChange.Delete("a.txt", null))));

        assertThat(deleted.files().get(0)).satisfies(file -> {
            assertThat(file.deleted()).isTrue();
            assertThat(file.version()).isEqualTo(2);
        });
        assertThat(refusal(again).code()).isEqualTo(FileRefusal.FILE_NOT_FOUND);
        assertThat(paths(project)).isEmpty();
    }

    private static UUID project(String owner) {
        UUID id = UUID.randomUUID();
        // test set-up: in the platform the provisioner creates projects from a session's CREATE
        jdbc.update("INSERT INTO projects (id, name, owner_id) VALUES (:id, 'test', :owner)",
                new MapSqlParameterSource("id", id).addValue("owner", owner));
        return id;
    }

    private static FileCommand write(UUID project, String user, FileChange... changes) {
        return new FileCommand.Write(UUID.randomUUID(), project, user, List.of(changes), Instant.now());
    }

    private static FileOutcome.Applied applied(FileCommand command) {
        FileOutcome outcome = awaitReply(send(command));
        assertThat(outcome).as("outcome of %s", command.commandId()).isInstanceOf(FileOutcome.Applied.class);
        return (FileOutcome.Applied) outcome;
    }

    private static FileRefusal refusal(FileOutcome outcome) {
        assertThat(outcome).isInstanceOf(FileOutcome.Refused.class);
        return ((FileOutcome.Refused) outcome).refusal();
    }

    /** Sends as the API's request/reply template does; returns the correlation id. */
    private static String send(FileCommand command) {
        String correlation = UUID.randomUUID().toString();
        ProducerRecord<String, FileCommand> record = new ProducerRecord<>(Topics.PROJECT_FILE_COMMANDS.name(),
                command.projectId().toString(), command);
        record.headers().add(KafkaHeaders.REPLY_TOPIC, Topics.PROJECT_FILE_REPLIES.name().getBytes(StandardCharsets.UTF_8));
        record.headers().add(KafkaHeaders.CORRELATION_ID, correlation.getBytes(StandardCharsets.UTF_8));
        try {
            producer.send(record).get();
        } catch (Exception e) {
            throw new AssertionError("command not stored: " + e, e);
        }
        return correlation;
    }

    private static synchronized FileOutcome awaitReply(String correlation) {
        return await().atMost(PATIENCE).until(() -> {
            replies.poll(Duration.ofMillis(100)).forEach(received::add);
            return received.stream().filter(reply -> correlation.equals(new String(
                    reply.headers().lastHeader(KafkaHeaders.CORRELATION_ID).value(), StandardCharsets.UTF_8)))
                    .map(ConsumerRecord::value).findFirst().orElse(null);
        }, outcome -> outcome != null);
    }

    private static Map<String, Object> row(UUID project, String path) {
        return jdbc.queryForMap("SELECT content, version, size FROM project_files WHERE project_id = :p AND file_path = :path",
                new MapSqlParameterSource("p", project).addValue("path", path));
    }

    private static List<String> paths(UUID project) {
        return jdbc.queryForList("SELECT file_path FROM project_files WHERE project_id = :p ORDER BY file_path",
                new MapSqlParameterSource("p", project), String.class);
    }
}
