package dev.velocitypreview.provisioner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.testkit.StaticProjects;
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
        // replication slots belong to the whole PostgreSQL server, which other tests share: one of this test's own
        provisioner = ProvisionerApplication.start(Map.ofEntries(
                Map.entry("server.port", 0),
                Map.entry("velocity.provisioner.cdc.slot-name", "provisioner_it_" + UUID.randomUUID().toString().replace("-", "")),
                Map.entry("spring.datasource.url", db.jdbcUrl()),
                Map.entry("spring.datasource.username", db.username()),
                Map.entry("spring.datasource.password", db.password()),
                Map.entry("velocity.provisioner.kafka.bootstrap-servers", bootstrap),
                Map.entry("velocity.provisioner.kafka.group-id", group),
                Map.entry("velocity.provisioner.ready-timeout", "30s"),
                Map.entry("velocity.provisioner.machines.local.root-dir", machinesRoot.toString())));
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
    void theManagementPortServesPrometheusWithTheCommandCounts() throws Exception {
        SessionCommand.Create create = create();
        commands.publish(create);
        awaitStatus(create.sessionId(), "ACTIVE");

        String port = provisioner.getEnvironment().getProperty("local.server.port");
        HttpResponse<String> scrape = get("http://127.0.0.1:" + port + "/actuator/prometheus");

        assertThat(scrape.statusCode()).isEqualTo(200);
        assertThat(scrape.body()).contains("velocity_provisioner_commands_total{", "outcome=\"applied\"",
                "type=\"CREATE\"", "velocity_provisioner_provisioning_duration_seconds_count");
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
    void suspendStopsTheMachinesProcessKeepingItAndResumeMakesTheSameProcessAnswerAgain() throws Exception {
        SessionCommand.Create create = create();
        commands.publish(create);
        Map<String, Object> active = awaitStatus(create.sessionId(), "ACTIVE");
        String url = (String) active.get("machine_url");
        long pid = pidOf((String) active.get("machine_id"));
        SessionCommand.Suspend suspend = SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now());
        double suspendsSkipped = commandsCounted("SUSPEND", "skipped");

        commands.publish(suspend);
        commands.publish(suspend);

        awaitStatus(create.sessionId(), "SUSPENDED");
        await().atMost(PATIENCE).until(() -> commandsCounted("SUSPEND", "skipped") == suspendsSkipped + 1);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("the process and its memory are kept")
                .contains(true);
        assertThatThrownBy(() -> get(url, Duration.ofSeconds(1))).as("a suspended machine answers nothing")
                .isInstanceOf(HttpTimeoutException.class);

        SessionCommand.Resume resume = SessionCommand.resume(create.sessionId(), create.userId(), Instant.now());
        double resumesSkipped = commandsCounted("RESUME", "skipped");
        commands.publish(resume);
        commands.publish(resume);

        Map<String, Object> resumed = awaitStatus(create.sessionId(), "ACTIVE");
        await().atMost(PATIENCE).until(() -> commandsCounted("RESUME", "skipped") == resumesSkipped + 1);
        assertThat(resumed.get("machine_url")).isEqualTo(url);
        assertThat(pidOf((String) resumed.get("machine_id"))).as("woken, not launched again").isEqualTo(pid);
        HttpResponse<String> page = get(url + "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(create.projectId().toString());
        assertThat(provisioner.getBean(MeterRegistry.class).timer("velocity.provisioner.wake.duration", "outcome",
                "applied").count()).isPositive();
    }

    @Test
    void terminateOfASuspendedSessionEndsItAndLeavesNoProcess() {
        SessionCommand.Create create = create();
        commands.publish(create);
        long pid = pidOf((String) awaitStatus(create.sessionId(), "ACTIVE").get("machine_id"));
        commands.publish(SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now()));
        awaitStatus(create.sessionId(), "SUSPENDED");

        commands.publish(SessionCommand.terminate(create.sessionId(), create.userId(), TerminationReason.IDLE,
                Instant.now()));

        assertThat(awaitStatus(create.sessionId(), "TERMINATED").get("status_reason")).isEqualTo("idle");
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(driver.findBySession(create.sessionId())).isEmpty();
    }

    @Test
    void extendMovesTheExpiryOfALiveSessionAndIsRefusedOnceItEnded() {
        SessionCommand.Create create = create();
        commands.publish(create);
        awaitStatus(create.sessionId(), "ACTIVE");
        Instant later = Instant.now().plus(Duration.ofHours(3)).truncatedTo(ChronoUnit.MILLIS);
        SessionCommand.Extend extend = SessionCommand.extend(create.sessionId(), create.userId(), later, Instant.now());

        commands.publish(extend);
        commands.publish(extend);

        await().atMost(PATIENCE).until(() -> later.equals(expiresAt(create.sessionId())));
        commands.publish(SessionCommand.terminate(create.sessionId(), create.userId(), TerminationReason.USER,
                Instant.now()));
        long ended = (Long) awaitStatus(create.sessionId(), "TERMINATED").get("version");
        double refused = commandsCounted("EXTEND", "refused");
        commands.publish(SessionCommand.extend(create.sessionId(), create.userId(), later.plus(Duration.ofHours(1)),
                Instant.now()));

        await().atMost(PATIENCE).until(() -> commandsCounted("EXTEND", "refused") == refused + 1);
        assertThat(expiresAt(create.sessionId())).isEqualTo(later);
        assertThat(row(create.sessionId()).get("version")).as("ACTIVE, extended once, STOPPING, TERMINATED")
                .isEqualTo(ended).isEqualTo(6L);
    }

    @Test
    void reapDestroysAnOrphanMachineAndLeavesTheMachineOfALiveSessionAlone() throws Exception {
        SessionCommand.Create live = create();
        commands.publish(live);
        Map<String, Object> active = awaitStatus(live.sessionId(), "ACTIVE");
        String liveMachine = (String) active.get("machine_id");
        UUID unknownSession = UUID.randomUUID();
        Machine orphan = driver.create(new MachineSpec(unknownSession, "user-1", UUID.randomUUID(),
                new MachineSize("shared", 1, 256), "orphan", List.of(new ProjectFile("index.html", "orphan", false)), Map.of()));
        long orphanPid = pidOf(orphan.id());
        double refused = commandsCounted("REAP_MACHINE", "refused");
        SessionCommand.ReapMachine reapOrphan = SessionCommand.reapMachine(unknownSession, null, orphan.id(), Instant.now());

        commands.publish(SessionCommand.reapMachine(live.sessionId(), live.userId(), liveMachine, Instant.now()));
        commands.publish(reapOrphan);
        commands.publish(reapOrphan);

        await().atMost(PATIENCE).until(() -> driver.findBySession(unknownSession).isEmpty());
        await().atMost(PATIENCE).until(() -> commandsCounted("REAP_MACHINE", "refused") == refused + 1);
        assertThat(ProcessHandle.of(orphanPid).map(ProcessHandle::isAlive).orElse(false)).isFalse();
        assertThat(get(active.get("machine_url") + "/").statusCode()).as("the live session's machine still serves")
                .isEqualTo(200);
        assertThat(row(live.sessionId()).get("status")).isEqualTo("ACTIVE");
    }

    @Test
    void machineLostFailsTheSessionOnlyOnceItsMachineIsReallyGone() {
        SessionCommand.Create create = create();
        commands.publish(create);
        String machineId = (String) awaitStatus(create.sessionId(), "ACTIVE").get("machine_id");
        SessionCommand.MachineLost lost = SessionCommand.machineLost(create.sessionId(), create.userId(), machineId,
                Instant.now());
        double refused = commandsCounted("MACHINE_LOST", "refused");
        double skipped = commandsCounted("MACHINE_LOST", "skipped");

        commands.publish(lost);

        await().atMost(PATIENCE).until(() -> commandsCounted("MACHINE_LOST", "refused") == refused + 1);
        assertThat(row(create.sessionId()).get("status")).isEqualTo("ACTIVE");

        driver.destroy(machineId);
        commands.publish(lost);
        commands.publish(lost);

        Map<String, Object> failed = awaitStatus(create.sessionId(), "FAILED");
        assertThat(failed.get("error")).isEqualTo("machine lost");
        await().atMost(PATIENCE).until(() -> commandsCounted("MACHINE_LOST", "skipped") == skipped + 1);
    }

    @Test
    void purgeDeletesAnEndedSessionsRowWhichTheChangelogCarriesAsATombstoneAndRefusesALiveOne() {
        SessionCommand.Create ended = create();
        SessionCommand.Create live = create();
        commands.publish(ended);
        commands.publish(live);
        awaitStatus(ended.sessionId(), "ACTIVE");
        awaitStatus(live.sessionId(), "ACTIVE");
        commands.publish(SessionCommand.terminate(ended.sessionId(), ended.userId(), TerminationReason.USER,
                Instant.now()));
        awaitStatus(ended.sessionId(), "TERMINATED");
        Map<TopicPartition, Long> changelogStart = commands.endOffsets(Topics.SESSIONS.name());
        double refused = commandsCounted("PURGE", "refused");
        SessionCommand.Purge purge = SessionCommand.purge(ended.sessionId(), ended.userId(), Instant.now());

        commands.publish(purge);
        commands.publish(purge);
        commands.publish(SessionCommand.purge(live.sessionId(), live.userId(), Instant.now()));

        await().atMost(PATIENCE).until(() -> row(ended.sessionId()).isEmpty());
        await().atMost(PATIENCE).until(() -> commandsCounted("PURGE", "refused") == refused + 1);
        assertThat(row(live.sessionId()).get("status")).isEqualTo("ACTIVE");
        assertThat(records(Topics.SESSIONS.name(), changelogStart, ended.sessionId().toString(), r -> r.value() == null, 1))
                .as("the delete reaches the changelog as a tombstone").isNotEmpty();
    }

    @Test
    void aTombstoneOnTheCommandTopicIsSkippedNotDeadLetteredAndTheSessionsNextCommandStillApplies() {
        SessionCommand.Create create = create();
        Map<TopicPartition, Long> dltStart = commands.endOffsets(Topics.SESSION_COMMANDS_DLT.name());
        double tombstones = provisioner.getBean(MeterRegistry.class).counter("velocity.provisioner.commands.tombstones").count();

        commands.publish(create.sessionId().toString(), null);
        commands.publish(create);

        awaitStatus(create.sessionId(), "ACTIVE");
        assertThat(provisioner.getBean(MeterRegistry.class).counter("velocity.provisioner.commands.tombstones").count())
                .isEqualTo(tombstones + 1);
        assertThat(records(Topics.SESSION_COMMANDS_DLT.name(), dltStart, create.sessionId().toString(), r -> true, 0))
                .isEmpty();
    }

    /**
     * Records of {@code key} on {@code topic} that pass {@code filter}, from {@code from} up to the end as it is now,
     * and on until there are {@code atLeast} of them.
     */
    private static List<ConsumerRecord<byte[], byte[]>> records(String topic, Map<TopicPartition, Long> from, String key,
                                                               Predicate<ConsumerRecord<byte[], byte[]>> filter,
                                                               int atLeast) {
        List<ConsumerRecord<byte[], byte[]>> found = new ArrayList<>();
        try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, TestKafka.shared().bootstrapServers()),
                new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
            consumer.assign(from.keySet());
            from.forEach(consumer::seek);
            Map<TopicPartition, Long> end = consumer.endOffsets(from.keySet());
            await().atMost(PATIENCE).until(() -> {
                for (ConsumerRecord<byte[], byte[]> record : consumer.poll(Duration.ofMillis(200))) {
                    if (record.key() != null && key.equals(new String(record.key(), StandardCharsets.UTF_8))
                            && filter.test(record)) {
                        found.add(record);
                    }
                }
                return found.size() >= atLeast
                        && end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
            });
        }
        return found;
    }

    /** The runtime process of a local machine, as its {@code machine.json} names it. */
    private static long pidOf(String machineId) {
        try {
            String record = Files.readString(machinesRoot.resolve(machineId).resolve("machine.json"));
            Matcher pid = Pattern.compile("\"pid\":(\\d+)").matcher(record);
            assertThat(pid.find()).as("pid in " + record).isTrue();
            return Long.parseLong(pid.group(1));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Instant expiresAt(UUID sessionId) {
        return jdbc.queryForList("SELECT expires_at FROM preview_sessions WHERE id = :id", Map.of("id", sessionId),
                OffsetDateTime.class).stream().findFirst().map(OffsetDateTime::toInstant).orElse(null);
    }

    private static double commandsCounted(String type, String outcome) {
        return provisioner.getBean(MeterRegistry.class)
                .counter("velocity.provisioner.commands", "type", type, "outcome", outcome).count();
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
        return get(url, Duration.ofSeconds(5));
    }

    private static HttpResponse<String> get(String url, Duration timeout) throws IOException, InterruptedException {
        return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(timeout).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** A session of a project with a static page (a template's project would run npm in the machine). */
    private static SessionCommand.Create create() {
        return create(StaticProjects.create(jdbc.getJdbcTemplate().getDataSource(), "user-1"));
    }

    private static SessionCommand.Create create(UUID projectId) {
        return SessionCommand.create(UUID.randomUUID(), "user-1", projectId, "react", Tier.FREE, Visibility.PUBLIC,
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
