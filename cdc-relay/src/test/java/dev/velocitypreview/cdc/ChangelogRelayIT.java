package dev.velocitypreview.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.config.ConfigResource;
import org.apache.kafka.common.config.TopicConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.ProjectFileNotice;
import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.core.session.SessionRowCodec;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

class ChangelogRelayIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    private final List<ChangelogRelay> relays = new ArrayList<>();
    private final List<ChangelogReader> readers = new ArrayList<>();
    private String bootstrapServers;
    private TestDatabase database;
    private SessionTable table;
    private ChangelogRelaySettings settings;

    @BeforeEach
    void databaseWithTheProvisionersSchema() {
        bootstrapServers = TestKafka.shared().bootstrapServers();
        database = TestPostgres.shared().createDatabase();
        table = new SessionTable(database.dataSource()).migrate();
        // The PostgreSQL cluster is shared: slot names must be unique across tests.
        String suffix = UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        settings = ChangelogRelaySettings.builder(database.jdbcUrl(), database.username(), database.password())
                .bootstrapServers(bootstrapServers)
                .slotName("relay_it_" + suffix)
                .publicationName("relay_it_pub_" + suffix)
                .standbyRetry(Duration.ofMillis(200))
                .lockCheckInterval(Duration.ofMillis(200))
                .restartBackoff(new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1)))
                .engineOverrides(Map.of("slot.retry.delay.ms", "200"))
                .build();
    }

    @AfterEach
    void closeRelaysAndDropTheSlot() throws SQLException {
        relays.forEach(ChangelogRelay::close);
        readers.forEach(ChangelogReader::close);
        table.close();
        // A slot left behind would pin WAL on the shared server; its walsender may take a moment to go.
        await().atMost(PATIENCE).ignoreExceptions().until(() -> dropSlot(settings.slotName()));
        assertThat(relayThreadsAlive()).as("threads of closed relays (engine, producer, admin clients)").isEmpty();
    }

    @Test
    void insertsUpdatesAndDeletesArriveAsDecodedViewsInOrderWithATombstoneForTheDelete() {
        Instant t0 = Instant.parse("2026-03-01T10:15:30.123456Z");
        SessionView existing = SessionTable.provisioning(UUID.randomUUID(), t0);
        table.insert(existing);
        ChangelogRelay relay = started(settings);

        SessionView inserted = SessionTable.provisioning(UUID.randomUUID(), t0.plusSeconds(1));
        table.insert(inserted, "{\"cpu\": 1, \"memoryMb\": 512}");
        Instant ready = t0.plusSeconds(5).plusNanos(654_321_000);
        SessionView active = new SessionView(inserted.id(), inserted.userId(), inserted.projectId(),
                SessionStatus.ACTIVE, null, null, "machine-7", "http://127.0.0.1:41234", "local", inserted.tier(), null, 2,
                inserted.requestedAt(), inserted.createdAt(), ready, ready, ready.plus(30, ChronoUnit.MINUTES), null, null);
        table.overwrite(active);
        table.delete(inserted.id());

        ChangelogReader reader = reader(List.of(existing.id(), inserted.id()));
        await().atMost(PATIENCE).until(() -> reader.poll(Duration.ofMillis(100)).size() >= 4);

        assertThat(reader.of(existing.id())).as("a row that existed before the relay's first start")
                .singleElement().satisfies(record -> assertThat(SessionRowCodec.decode(record.value()))
                        .isEqualTo(existing));
        List<ConsumerRecord<String, byte[]>> changes = reader.of(inserted.id());
        assertThat(changes).extracting(ConsumerRecord::key).containsOnly(inserted.id().toString());
        assertThat(changes).hasSize(3);
        assertThat(SessionRowCodec.decode(changes.get(0).value())).isEqualTo(inserted);
        assertThat(SessionRowCodec.decode(changes.get(1).value())).isEqualTo(active);
        assertThat(changes.get(2).value()).as("tombstone of the deleted row").isNull();
        // The counters move just after Kafka's acknowledgement, so possibly after our consumer saw the records.
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.recordsRelayed() >= 4);
        assertThat(relay.lastRelayLagMillis()).isGreaterThanOrEqualTo(0);
    }

    @Test
    void writesUpdatesAndDeletesOfProjectFilesArriveAsNoticesKeyedByTheirProjectWithoutContent() {
        ProjectFileTable files = new ProjectFileTable(database.dataSource());
        UUID project = UUID.randomUUID();
        UUID other = UUID.randomUUID();
        files.insertProject(project);
        files.insertProject(other);
        files.insert(project, "index.html", "<h1>before the relay</h1>");
        ChangelogRelay relay = started(settings);

        String large = "x".repeat(200_000);
        files.insert(project, "src/App.jsx", large);
        files.overwrite(project, "src/App.jsx", "export default () => 'two'");
        files.insert(other, "src/App.jsx", "other");
        files.delete(project, "src/App.jsx");

        ChangelogReader reader = new ChangelogReader(bootstrapServers, Topics.PROJECT_FILES.name(), List.of(project, other));
        readers.add(reader);
        await().atMost(PATIENCE).until(() -> reader.poll(Duration.ofMillis(100)).size() >= 4);

        List<ConsumerRecord<String, byte[]>> notices = reader.of(project);
        assertThat(notices).extracting(ConsumerRecord::key).containsOnly(project.toString());
        // the codec refuses unknown fields: a notice holding content would not decode
        assertThat(notices).extracting(record -> EditCodec.decodeNotice(record.value())).as("a file that existed"
                + " before the relay's first start is not snapshotted; a write, an update and a delete are told")
                .containsExactly(
                        new ProjectFileNotice(project, "src/App.jsx", 1, false),
                        new ProjectFileNotice(project, "src/App.jsx", 2, false),
                        new ProjectFileNotice(project, "src/App.jsx", 0, true));
        assertThat(notices).allSatisfy(record -> assertThat(record.value()).hasSizeLessThan(200));
        assertThat(reader.of(other)).extracting(record -> EditCodec.decodeNotice(record.value()))
                .containsExactly(new ProjectFileNotice(other, "src/App.jsx", 1, false));
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.recordsRelayed() >= 4);
    }

    @Test
    void aDeploymentThatCapturedSessionsAloneCapturesProjectFilesOnceTheRelayStartsAgain() throws SQLException {
        // as the relay before project files: its publication, slot and offsets name preview_sessions alone
        ChangelogRelay before = started(settings.toBuilder()
                .tables(List.of(ChangelogRelaySettings.SESSIONS_TABLE)).build());
        UUID session = UUID.randomUUID();
        table.insert(SessionTable.provisioning(session, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        ChangelogReader sessions = reader(List.of(session));
        await().atMost(PATIENCE).until(() -> !sessions.poll(Duration.ofMillis(100)).isEmpty());
        before.close();
        assertThat(publishedTables()).containsExactly("public.preview_sessions");

        started(settings);
        // Debezium's filtered mode sets an existing publication's tables to those captured as its stream starts;
        // a write is told from the moment the publication names its table (one committed before may or may not be,
        // which is harmless: machines catch up by their first sync, not by notices)
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(publishedTables())
                .containsExactlyInAnyOrder("public.preview_sessions", "public.project_files"));
        ProjectFileTable files = new ProjectFileTable(database.dataSource());
        UUID project = UUID.randomUUID();
        files.insertProject(project);
        files.insert(project, "index.html", "<h1>hi</h1>");
        files.insert(project, "src/main.js", "console.log('hi')");
        files.delete(project, "index.html");
        ChangelogReader reader = new ChangelogReader(bootstrapServers, Topics.PROJECT_FILES.name(), List.of(project));
        readers.add(reader);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(reader.poll(Duration.ofMillis(100)))
                .extracting(record -> EditCodec.decodeNotice(record.value()))
                .containsExactly(new ProjectFileNotice(project, "index.html", 1, false),
                        new ProjectFileNotice(project, "src/main.js", 1, false),
                        new ProjectFileNotice(project, "index.html", 0, true)));
        UUID after = UUID.randomUUID();
        table.insert(SessionTable.provisioning(after, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        ChangelogReader sessionsAfter = reader(List.of(after));
        await("sessions are relayed as before").atMost(PATIENCE)
                .until(() -> !sessionsAfter.poll(Duration.ofMillis(100)).isEmpty());
    }

    @Test
    void aFileDeleteThatCarriesNoProjectAndPathIsPassedOverWithoutStoppingTheChangelog() throws SQLException {
        // a database whose project_files kept the default replica identity (the primary key): its deletes say neither
        try (Connection connection = database.dataSource().getConnection(); Statement statement = connection.createStatement()) {
            statement.execute("ALTER TABLE project_files REPLICA IDENTITY DEFAULT");
        }
        ChangelogRelay relay = started(settings);
        ProjectFileTable files = new ProjectFileTable(database.dataSource());
        UUID project = UUID.randomUUID();
        files.insertProject(project);
        files.insert(project, "index.html", "<h1>hi</h1>");
        files.delete(project, "index.html");
        UUID session = UUID.randomUUID();
        table.insert(SessionTable.provisioning(session, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        files.insert(project, "after.html", "<h1>after</h1>");

        ChangelogReader sessions = reader(List.of(session));
        await().atMost(PATIENCE).until(() -> !sessions.poll(Duration.ofMillis(100)).isEmpty());
        ChangelogReader notices = new ChangelogReader(bootstrapServers, Topics.PROJECT_FILES.name(), List.of(project));
        readers.add(notices);
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(notices.poll(Duration.ofMillis(100)))
                .extracting(record -> EditCodec.decodeNotice(record.value()))
                .containsExactly(new ProjectFileNotice(project, "index.html", 1, false),
                        new ProjectFileNotice(project, "after.html", 1, false)));
        assertThat(relay.restarts()).as("the delete did not fail its batch").isZero();
    }

    @Test
    void theProjectFilesTopicIsCreatedWithTheDeletePolicyAndItsRetention() throws Exception {
        started(settings);

        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrapServers))) {
            ConfigResource topic = new ConfigResource(ConfigResource.Type.TOPIC, Topics.PROJECT_FILES.name());
            Config config = admin.describeConfigs(List.of(topic)).all().get(30, TimeUnit.SECONDS).get(topic);
            assertThat(config.get(TopicConfig.CLEANUP_POLICY_CONFIG).value()).isEqualTo(TopicConfig.CLEANUP_POLICY_DELETE);
            assertThat(config.get(TopicConfig.RETENTION_MS_CONFIG).value())
                    .isEqualTo(Long.toString(Duration.ofDays(1).toMillis()));
        }
    }

    @Test
    void relayStoppedMidStreamAndRestartedLosesNoVersion() throws Exception {
        int sessions = 5;
        int updates = 300;
        List<UUID> ids = new ArrayList<>();
        for (int i = 0; i < sessions; i++) {
            UUID id = UUID.randomUUID();
            ids.add(id);
            table.insert(SessionTable.provisioning(id, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        }
        ChangelogRelay first = started(settings);
        ChangelogReader reader = reader(ids);
        // Mid-stream, not mid-snapshot: a relay stopped during its first snapshot leaves no offsets, and
        // its successor snapshots again, carrying each row's then-current version only.
        await().atMost(PATIENCE).until(() -> reader.poll(Duration.ofMillis(100)).size() >= sessions);

        CountDownLatch oneThirdWritten = new CountDownLatch(1);
        CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
            for (int i = 0; i < updates; i++) {
                table.bumpVersion(ids.get(i % sessions));
                if (i == updates / 3) {
                    oneThirdWritten.countDown();
                }
            }
        });
        assertThat(oneThirdWritten.await(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
        first.close();
        started(settings);
        writer.get(PATIENCE.toSeconds(), TimeUnit.SECONDS);

        Set<String> expected = new HashSet<>();
        for (int i = 0; i < sessions; i++) {
            for (long version = 1; version <= 1 + updates / sessions; version++) {
                expected.add(ids.get(i) + "@" + version);
            }
        }
        await().atMost(PATIENCE).untilAsserted(() -> assertThat(versionsOf(reader.poll(Duration.ofMillis(100))))
                .as("every (session, version) written").containsAll(expected));

        List<ConsumerRecord<String, byte[]>> records = reader.poll(Duration.ofMillis(500));
        Set<String> seen = versionsOf(records);
        int duplicates = records.size() - seen.size();
        System.out.printf("relay stopped mid-stream: %d versions written, %d records relayed, %d duplicates%n",
                expected.size(), records.size(), duplicates);
    }

    @Test
    void onlyOneOfTwoRelaysStreamsAndTheStandbyTakesOverFromTheStoredOffsets() {
        SessionView existing = SessionTable.provisioning(UUID.randomUUID(), Instant.now().truncatedTo(ChronoUnit.MICROS));
        table.insert(existing);
        ChangelogRelay first = started(settings);
        ChangelogRelay second = new ChangelogRelay(settings);
        relays.add(second);
        second.start();

        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
                .until(() -> first.isStreaming() && !second.isStreaming() && !second.isHoldingLock());

        UUID beforeHandover = UUID.randomUUID();
        table.insert(SessionTable.provisioning(beforeHandover, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        ChangelogReader reader = reader(List.of(existing.id(), beforeHandover));
        await().atMost(PATIENCE).until(() -> reader.poll(Duration.ofMillis(100)).size() >= 2);

        first.close();
        UUID duringHandover = UUID.randomUUID();
        table.insert(SessionTable.provisioning(duringHandover, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        await().atMost(PATIENCE).until(second::isStreaming);
        UUID afterHandover = UUID.randomUUID();
        table.insert(SessionTable.provisioning(afterHandover, Instant.now().truncatedTo(ChronoUnit.MICROS)));

        ChangelogReader all = reader(List.of(existing.id(), beforeHandover, duringHandover, afterHandover));
        await().atMost(PATIENCE).until(() -> keysOf(all.poll(Duration.ofMillis(100)))
                .containsAll(Set.of(duringHandover.toString(), afterHandover.toString())));
        assertThat(all.of(existing.id())).as("the snapshot is not taken again: the successor read the stored offsets")
                .hasSize(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> second.recordsRelayed() >= 2);
    }

    @Test
    void relayWhoseLockConnectionBreaksStopsAndTheStandbyStreamsOn() throws SQLException {
        ChangelogRelay first = started(settings);
        ChangelogRelay second = new ChangelogRelay(settings);
        relays.add(second);
        second.start();
        await().atMost(Duration.ofSeconds(3)).until(() -> !second.isHoldingLock());

        terminateLockHolder();

        await().atMost(PATIENCE).until(() -> second.isStreaming() && !first.isStreaming());
        UUID afterTakeover = UUID.randomUUID();
        table.insert(SessionTable.provisioning(afterTakeover, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        ChangelogReader reader = reader(List.of(afterTakeover));
        await().atMost(PATIENCE).until(() -> !reader.poll(Duration.ofMillis(100)).isEmpty());
        assertThat(first.isStreaming()).as("the relay that lost its lock stands by").isFalse();
    }

    @Test
    void changeKafkaRefusesIsNotMarkedProcessedAndArrivesOnceKafkaTakesIt() {
        // A record limit no row fits: every send fails as Kafka would refuse a change (a real broker error path).
        ChangelogRelaySettings refusing = settings.toBuilder()
                .producerOverrides(Map.of(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, "200")).build();
        ChangelogRelay relay = started(refusing);
        UUID refused = UUID.randomUUID();
        UUID after = UUID.randomUUID();
        table.insert(SessionTable.provisioning(refused, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        table.insert(SessionTable.provisioning(after, Instant.now().truncatedTo(ChronoUnit.MICROS)));

        await().atMost(PATIENCE).until(() -> relay.restarts() >= 2);
        assertThat(relay.recordsRelayed()).isZero();
        relay.close();

        started(settings);
        ChangelogReader reader = reader(List.of(refused, after));
        await().atMost(PATIENCE).until(() -> keysOf(reader.poll(Duration.ofMillis(100)))
                .containsAll(Set.of(refused.toString(), after.toString())));
        assertThat(SessionRowCodec.decode(reader.of(refused).get(0).value()).id()).isEqualTo(refused);
    }

    @Test
    void commitToConsumedLatencySmoke() throws SQLException {
        UUID id = UUID.randomUUID();
        table.insert(SessionTable.provisioning(id, Instant.now().truncatedTo(ChronoUnit.MICROS)));
        ChangelogRelay relay = started(settings);
        ChangelogReader reader = reader(List.of(id));
        await().atMost(PATIENCE).until(() -> !reader.poll(Duration.ofMillis(100)).isEmpty());

        int rounds = 100;
        List<Long> endToEndMicros = new ArrayList<>();
        List<Long> relayLagMillis = new ArrayList<>();
        try (Connection connection = database.dataSource().getConnection();
             Statement session = connection.createStatement();
             PreparedStatement update = connection.prepareStatement(
                     "UPDATE preview_sessions SET version = version + 1 WHERE id = ?")) {
            session.execute("SET synchronous_commit = on");
            update.setObject(1, id);
            for (int round = 0; round < rounds; round++) {
                update.executeUpdate();
                long committed = System.nanoTime();
                int seen = reader.of(id).size();
                long deadline = committed + PATIENCE.toNanos();
                while (reader.poll(Duration.ofMillis(5)).size() == seen) {
                    assertThat(System.nanoTime()).as("update %d relayed in time", round).isLessThan(deadline);
                }
                endToEndMicros.add((System.nanoTime() - committed) / 1_000);
                relayLagMillis.add(relay.lastRelayLagMillis());
            }
        }
        System.out.printf("commit -> consumed over %d updates (poll interval %s): p50 %.1f ms, p99 %.1f ms;"
                        + " source ts -> acknowledged p50 %d ms%n", rounds, settings.pollInterval(),
                percentile(endToEndMicros, 50) / 1000.0, percentile(endToEndMicros, 99) / 1000.0,
                percentile(relayLagMillis, 50));
    }

    private static long percentile(List<Long> values, int percent) {
        List<Long> sorted = values.stream().sorted().toList();
        return sorted.get(Math.min(sorted.size() - 1, sorted.size() * percent / 100));
    }

    private ChangelogRelay started(ChangelogRelaySettings relaySettings) {
        ChangelogRelay relay = new ChangelogRelay(relaySettings);
        relays.add(relay);
        relay.start();
        await().atMost(PATIENCE).until(relay::isStreaming);
        return relay;
    }

    private ChangelogReader reader(List<UUID> sessions) {
        ChangelogReader reader = new ChangelogReader(bootstrapServers, sessions);
        readers.add(reader);
        return reader;
    }

    private static Set<String> versionsOf(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().filter(record -> record.value() != null)
                .map(record -> record.key() + "@" + SessionRowCodec.decode(record.value()).version())
                .collect(Collectors.toSet());
    }

    private static Set<String> keysOf(List<ConsumerRecord<String, byte[]>> records) {
        return records.stream().map(ConsumerRecord::key).collect(Collectors.toSet());
    }

    /** Ends the database session holding the relay's advisory lock, as a network failure would. */
    private void terminateLockHolder() throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement("""
                     SELECT pg_terminate_backend(pid) FROM pg_locks
                     WHERE locktype = 'advisory' AND granted
                       AND database = (SELECT oid FROM pg_database WHERE datname = current_database())""");
             ResultSet result = statement.executeQuery()) {
            assertThat(result.next()).as("a relay holds the advisory lock").isTrue();
        }
    }

    private Set<String> publishedTables() throws SQLException {
        Set<String> tables = new HashSet<>();
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT schemaname || '.' || tablename FROM pg_publication_tables WHERE pubname = ?")) {
            statement.setString(1, settings.publicationName());
            try (ResultSet result = statement.executeQuery()) {
                while (result.next()) {
                    tables.add(result.getString(1));
                }
            }
        }
        return tables;
    }

    private boolean dropSlot(String slot) throws SQLException {
        try (Connection connection = database.dataSource().getConnection();
             PreparedStatement statement = connection.prepareStatement(
                     "SELECT pg_drop_replication_slot(slot_name) FROM pg_replication_slots WHERE slot_name = ?")) {
            statement.setString(1, slot);
            statement.execute();
            return true;
        }
    }

    private Set<String> relayThreadsAlive() {
        return Thread.getAllStackTraces().keySet().stream().map(Thread::getName)
                .filter(name -> name.contains(settings.slotName())).collect(Collectors.toSet());
    }
}
