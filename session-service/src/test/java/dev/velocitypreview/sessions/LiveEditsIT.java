package dev.velocitypreview.sessions;

import static dev.velocitypreview.sessions.RunningSessionService.json;
import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.NewTopic;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Header;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.access.SessionSyncToken;
import dev.velocitypreview.core.edits.CompileError;
import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.EditOutcome;
import dev.velocitypreview.core.edits.EditResult;
import dev.velocitypreview.core.edits.FileState;
import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.ProjectFileNotice;
import dev.velocitypreview.core.edits.SessionEditReport;
import dev.velocitypreview.core.edits.SyncRequest;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.files.FileChange;
import dev.velocitypreview.core.files.FileCommand;
import dev.velocitypreview.core.files.FileOutcome;
import dev.velocitypreview.core.files.FileRules;
import dev.velocitypreview.core.files.FileTopics;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.sessions.edits.TopicReader;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;
import tools.jackson.databind.JsonNode;

/**
 * Live edits against a real broker and database. The test plays the other parts: the provisioner (it writes
 * {@code project_files} rows and answers file commands), the CDC relay (it publishes {@code ProjectFileNotice}s after
 * writing a row) and the preview machines (it POSTs syncs to the real endpoint, or publishes their reports).
 */
class LiveEditsIT {

    private static final String SYNC_SECRET = "sync-secret-for-tests-0123456789abcdef";
    private static final Duration HOLD = Duration.ofSeconds(4);
    private static final Duration APPLY_TIMEOUT = Duration.ofSeconds(3);

    private static String bootstrap;
    private static DataSource database;
    private static RunningSessionService service;
    private static KafkaProducer<String, SessionView> sessions;
    private static KafkaProducer<String, ProjectFileNotice> notices;
    private static KafkaProducer<String, SessionEditReport> reports;
    private static PlayedProvisioner provisioner;

    /** Every test has its own user and project, so a write sees only the previews the test started. */
    private final String user = "user-" + UUID.randomUUID();
    private final UUID project = UUID.randomUUID();

    @BeforeAll
    static void start() throws Exception {
        bootstrap = TestKafka.shared().bootstrapServers();
        TestDatabase db = TestPostgres.shared().createDatabase();
        database = db.dataSource();
        try (Connection connection = database.getConnection(); Statement statement = connection.createStatement()) {
            // the provisioner's tables, as far as the API reads them
            statement.execute("""
                    CREATE TABLE projects (id uuid PRIMARY KEY, name text NOT NULL, owner_id text NOT NULL);
                    CREATE TABLE project_files (
                        id uuid PRIMARY KEY, project_id uuid NOT NULL REFERENCES projects (id), file_path text NOT NULL,
                        content text, size bigint NOT NULL DEFAULT 0, version bigint NOT NULL DEFAULT 1,
                        is_directory boolean NOT NULL DEFAULT false, updated_at timestamptz NOT NULL DEFAULT now(),
                        UNIQUE (project_id, file_path))""");
        }
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap))) {
            // the CDC relay creates it in a deployment
            if (!admin.listTopics().names().get(30, TimeUnit.SECONDS).contains(Topics.PROJECT_FILES.name())) {
                admin.createTopics(List.of(new NewTopic(Topics.PROJECT_FILES.name(), 3, (short) 1))).all()
                        .get(30, TimeUnit.SECONDS);
            }
            FileTopics.ensure(admin, Duration.ofSeconds(30));
        }
        service = RunningSessionService.start(bootstrap, Map.of(
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET,
                "velocity.session-service.sync.secret", SYNC_SECRET,
                "velocity.session-service.sync.hold", HOLD.toString(),
                "velocity.session-service.files.apply-timeout", APPLY_TIMEOUT.toString(),
                "velocity.session-service.files.datasource.url", db.jdbcUrl(),
                "velocity.session-service.files.datasource.username", db.username(),
                "velocity.session-service.files.datasource.password", db.password())).awaitReady();
        // a notice published before the reader has its partitions would be missed (it reads from the end)
        await().atMost(Duration.ofSeconds(60)).until(() -> service.bean("projectFileNoticeReader", TopicReader.class)
                .assigned());
        Map<String, Object> producer = Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
        sessions = new KafkaProducer<>(producer, new StringSerializer(), Topics.SESSIONS.valueSerde().serializer());
        notices = new KafkaProducer<>(producer, new StringSerializer(), Topics.PROJECT_FILES.valueSerde().serializer());
        reports = new KafkaProducer<>(producer, new StringSerializer(), Topics.SESSION_EDITS.valueSerde().serializer());
        provisioner = new PlayedProvisioner();
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable part : new AutoCloseable[] {provisioner, sessions, notices, reports, service}) {
            if (part != null) {
                try {
                    part.close();
                } catch (Exception e) {
                    // closing the rest matters more
                }
            }
        }
    }

    @Test
    void aWrongOrMissingTokenIsRefusedAlikeAndLeaksNothing() throws Exception {
        project(Map.of("secret.txt", "the project's secret"));
        UUID session = session(SessionStatus.ACTIVE);
        UUID unknown = UUID.randomUUID();
        byte[] body = EditCodec.encodeRequest(new SyncRequest(List.of(), List.of()));

        List<HttpResponse<String>> refused = List.of(
                sync(session, null, body),
                sync(session, "not-the-token", body),
                sync(session, SessionSyncToken.of("another-secret-0123456789abcdefghij", session), body),
                // another session's token
                sync(session, SessionSyncToken.of(SYNC_SECRET, unknown), body));

        for (HttpResponse<String> response : refused) {
            assertThat(response.statusCode()).as(response.body()).isEqualTo(401);
            assertThat(json(response).get("code").stringValue()).isEqualTo("invalid_sync_token");
            assertThat(response.body()).doesNotContain("secret.txt").doesNotContain("the project's secret")
                    .doesNotContain(project.toString());
        }
        assertThat(refused.get(3).body().replace(session.toString(), "ID").replace(unknown.toString(), "ID"))
                .isEqualTo(refused.get(0).body().replace(session.toString(), "ID"));
    }

    /**
     * Only the provisioner mints a session's token, so a right token of a session the view does not know yet is a
     * machine ahead of the changelog (a claimed pooled machine syncs within milliseconds of its row): asked to come
     * again, never told to stop its live edits.
     */
    @Test
    void aRightTokenOfASessionNotInTheViewYetIsAskedToComeAgain() throws Exception {
        UUID unknown = UUID.randomUUID();

        HttpResponse<String> response = sync(unknown, SessionSyncToken.of(SYNC_SECRET, unknown),
                EditCodec.encodeRequest(new SyncRequest(List.of(), List.of())));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(503);
        assertThat(json(response).get("code").stringValue()).isEqualTo("session_not_known_yet");
        assertThat(response.headers().firstValue("Retry-After")).contains("1");
    }

    @Test
    void aMachineWithAnOldManifestGetsExactlyWhatChanged() throws Exception {
        project(Map.of("a.txt", "A1", "b.txt", "B", "c.txt", "C3", "d.txt", "D"));
        write("a.txt", "A2");
        write("c.txt", "C2");
        write("c.txt", "C3");
        UUID session = session(SessionStatus.ACTIVE);

        HttpResponse<String> response = sync(session, List.of(
                new FileState("a.txt", 1, FileRules.sha256("A1")),
                new FileState("b.txt", 1, FileRules.sha256("B")),
                // from its bundle (version unknown), already the newest content
                new FileState("c.txt", 0, FileRules.sha256("C3")),
                new FileState("old.txt", 1, FileRules.sha256("gone"))), List.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/json"));
        SyncResponse answer = EditCodec.decodeResponse(response.body().getBytes(StandardCharsets.UTF_8));
        assertThat(answer.files()).containsExactly(
                new SyncedFile("a.txt", 2, FileRules.sha256("A2"), "A2"),
                new SyncedFile("c.txt", 3, FileRules.sha256("C3"), null),
                new SyncedFile("d.txt", 1, FileRules.sha256("D"), "D"));
        assertThat(answer.deleted()).containsExactly("old.txt");
    }

    @Test
    void aHeldSyncIsAnsweredWhenItsProjectChangesAndEmptyAfterTheHold() throws Exception {
        project(Map.of("src/App.jsx", "v1"));
        UUID session = session(SessionStatus.ACTIVE);
        List<FileState> upToDate = List.of(new FileState("src/App.jsx", 1, FileRules.sha256("v1")));

        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> sync(session, upToDate, List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> heldSyncs() >= 1);
        long version = write("src/App.jsx", "v2");
        long noticed = System.nanoTime();
        notice("src/App.jsx", version);

        HttpResponse<String> woken = held.get(30, TimeUnit.SECONDS);
        Duration took = Duration.ofNanos(System.nanoTime() - noticed);
        assertThat(woken.statusCode()).as(woken.body()).isEqualTo(200);
        assertThat(EditCodec.decodeResponse(woken.body().getBytes(StandardCharsets.UTF_8)).files())
                .containsExactly(new SyncedFile("src/App.jsx", 2, FileRules.sha256("v2"), "v2"));
        assertThat(took).isLessThan(HOLD.minusSeconds(1));

        // up to date now: a notice of another project leaves it held, and the hold answers it empty
        List<FileState> current = List.of(new FileState("src/App.jsx", 2, FileRules.sha256("v2")));
        long started = System.nanoTime();
        CompletableFuture<HttpResponse<String>> second = CompletableFuture.supplyAsync(() -> sync(session, current, List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> heldSyncs() >= 1);
        notices.send(new ProducerRecord<>(Topics.PROJECT_FILES.name(), UUID.randomUUID().toString(),
                new ProjectFileNotice(UUID.randomUUID(), "x.txt", 1, false))).get(10, TimeUnit.SECONDS);
        HttpResponse<String> empty = second.get(30, TimeUnit.SECONDS);
        assertThat(empty.statusCode()).as(empty.body()).isEqualTo(200);
        assertThat(EditCodec.decodeResponse(empty.body().getBytes(StandardCharsets.UTF_8)).isEmpty()).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(HOLD.minusMillis(100));
    }

    @Test
    void aMalformedSyncIsRefusedSayingWhy() throws Exception {
        project(Map.of("a.txt", "A"));
        UUID session = session(SessionStatus.ACTIVE);

        HttpResponse<String> response = sync(session, SessionSyncToken.of(SYNC_SECRET, session),
                "{\"files\":[{\"path\":\"a.txt\",\"version\":-1,\"sha256\":\"x\"}],\"results\":[]}"
                        .getBytes(StandardCharsets.UTF_8));

        assertThat(response.statusCode()).as(response.body()).isEqualTo(400);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat(json(response).get("code").stringValue()).isEqualTo("malformed_sync");
        assertThat(json(response).get("detail").stringValue()).contains("negative");
    }

    @Test
    void anEndedSessionIsGone() throws Exception {
        project(Map.of("a.txt", "A"));
        UUID session = session(SessionStatus.TERMINATED);

        HttpResponse<String> response = sync(session, List.of(), List.of());

        assertThat(response.statusCode()).as(response.body()).isEqualTo(410);
        assertThat(json(response).get("code").stringValue()).isEqualTo("session_ended");
    }

    @Test
    void aWriteWaitsForThePreviewToApplyIt() throws Exception {
        project(Map.of("src/App.jsx", "v1"));
        UUID session = session(SessionStatus.ACTIVE);
        List<FileState> manifest = List.of(new FileState("src/App.jsx", 1, FileRules.sha256("v1")));
        // the machine's loop is waiting for a change when the write comes
        CompletableFuture<HttpResponse<String>> held = CompletableFuture.supplyAsync(() -> sync(session, manifest, List.of()));
        await().atMost(Duration.ofSeconds(10)).until(() -> heldSyncs() >= 1);

        CompletableFuture<HttpResponse<String>> write = CompletableFuture.supplyAsync(() -> service.send(service
                .request("/v1/projects/" + project + "/files/src/App.jsx?wait=applied")
                .header("Authorization", bearer(TestTokens.user(user, Tier.TEAM)))
                .PUT(BodyPublishers.ofString("v2"))));
        SyncResponse answer = EditCodec.decodeResponse(held.get(30, TimeUnit.SECONDS).body().getBytes(StandardCharsets.UTF_8));
        assertThat(answer.files()).extracting(SyncedFile::path, SyncedFile::version, SyncedFile::content)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("src/App.jsx", 2L, "v2"));
        // the next sync carries what the dev server made of it
        CompletableFuture.runAsync(() -> sync(session, List.of(new FileState("src/App.jsx", 2, FileRules.sha256("v2"))),
                List.of(new EditResult(List.of(new FileVersion("src/App.jsx", 2)), List.of(), EditOutcome.APPLIED, null,
                        Instant.now()))));

        HttpResponse<String> written = write.get(30, TimeUnit.SECONDS);
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        JsonNode body = json(written);
        assertThat(body.get("version").asLong()).isEqualTo(2);
        assertThat(body.get("previews")).hasSize(1);
        assertThat(body.get("previews").get(0).get("sessionId").stringValue()).isEqualTo(session.toString());
        assertThat(body.get("previews").get(0).get("outcome").stringValue()).isEqualTo("applied");
        assertThat(body.get("previews").get(0).get("error").isNull()).isTrue();
        JsonNode view = json(getSession(session));
        assertThat(view.get("devServer").get("outcome").stringValue()).isEqualTo("applied");
        assertThat(view.get("devServer").get("error").isNull()).isTrue();
    }

    @Test
    void aWriteThatBreaksTheBuildSaysWhereAndTheViewShowsIt() throws Exception {
        project(Map.of("src/App.jsx", "v1"));
        UUID session = session(SessionStatus.ACTIVE);
        assertThat(json(getSession(session)).get("devServer").isNull()).isTrue();

        CompletableFuture<HttpResponse<String>> write = CompletableFuture.supplyAsync(() -> service.send(service
                .request("/v1/projects/" + project + "/files:batch?wait=applied")
                .header("Authorization", bearer(TestTokens.user(user, Tier.TEAM)))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofString("{\"writes\":[{\"path\":\"src/App.jsx\",\"content\":\"<div\"}]}"))));
        await().atMost(Duration.ofSeconds(30)).until(() -> version("src/App.jsx") == 2);
        CompileError error = new CompileError("Unexpected token (1:4)", "src/App.jsx", 1L, 4L);
        Instant at = Instant.parse("2026-01-01T00:00:00Z");
        reports.send(new ProducerRecord<>(Topics.SESSION_EDITS.name(), session.toString(), new SessionEditReport(session,
                project, new EditResult(List.of(new FileVersion("src/App.jsx", 2)), List.of(), EditOutcome.COMPILE_ERROR,
                error, at)))).get(10, TimeUnit.SECONDS);

        HttpResponse<String> written = write.get(30, TimeUnit.SECONDS);
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        JsonNode preview = json(written).get("previews").get(0);
        assertThat(preview.get("outcome").stringValue()).isEqualTo("compile_error");
        assertThat(preview.get("error").get("message").stringValue()).isEqualTo("Unexpected token (1:4)");
        assertThat(preview.get("error").get("file").stringValue()).isEqualTo("src/App.jsx");
        assertThat(preview.get("error").get("line").asLong()).isEqualTo(1);
        assertThat(preview.get("error").get("column").asLong()).isEqualTo(4);
        JsonNode devServer = json(getSession(session)).get("devServer");
        assertThat(devServer.get("outcome").stringValue()).isEqualTo("compile_error");
        assertThat(devServer.get("error").get("message").stringValue()).isEqualTo("Unexpected token (1:4)");
        assertThat(Instant.parse(devServer.get("at").stringValue())).isEqualTo(at);
    }

    @Test
    void aPreviewThatNeverReportsTimesOutAndAWriteWithoutPreviewsWaitsForNone() throws Exception {
        project(Map.of("a.txt", "A"));
        HttpResponse<String> alone = service.send(service.request("/v1/projects/" + project + "/files/a.txt?wait=applied")
                .header("Authorization", bearer(TestTokens.user(user, Tier.TEAM))).PUT(BodyPublishers.ofString("A2")));
        assertThat(alone.statusCode()).as(alone.body()).isEqualTo(200);
        assertThat(json(alone).get("previews")).isEmpty();

        UUID session = session(SessionStatus.ACTIVE);
        long started = System.nanoTime();
        HttpResponse<String> silent = service.send(service.request("/v1/projects/" + project + "/files/a.txt?wait=applied")
                .header("Authorization", bearer(TestTokens.user(user, Tier.TEAM))).DELETE());

        assertThat(silent.statusCode()).as(silent.body()).isEqualTo(200);
        assertThat(json(silent).get("deleted").asBoolean()).isTrue();
        assertThat(json(silent).get("previews").get(0).get("sessionId").stringValue()).isEqualTo(session.toString());
        assertThat(json(silent).get("previews").get(0).get("outcome").stringValue()).isEqualTo("timeout");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(APPLY_TIMEOUT);
        HttpResponse<String> plain = service.send(service.request("/v1/projects/" + project + "/files/b.txt")
                .header("Authorization", bearer(TestTokens.user(user, Tier.TEAM))).PUT(BodyPublishers.ofString("B")));
        assertThat(json(plain).has("previews")).isFalse();
    }

    // ---- the parts this test plays

    private void project(Map<String, String> files) throws SQLException {
        try (Connection connection = database.getConnection()) {
            try (PreparedStatement insert = connection.prepareStatement(
                    "INSERT INTO projects (id, name, owner_id) VALUES (?, 'test', ?)")) {
                insert.setObject(1, project);
                insert.setString(2, user);
                insert.executeUpdate();
            }
            for (Map.Entry<String, String> file : files.entrySet()) {
                upsert(connection, project, file.getKey(), file.getValue());
            }
        }
    }

    /** Writes a file as the provisioner does: a new version of the row. */
    private long write(String path, String content) throws SQLException {
        try (Connection connection = database.getConnection()) {
            return upsert(connection, project, path, content);
        }
    }

    private static long upsert(Connection connection, UUID project, String path, String content) throws SQLException {
        try (PreparedStatement upsert = connection.prepareStatement("""
                INSERT INTO project_files (id, project_id, file_path, content, size) VALUES (?, ?, ?, ?, ?)
                ON CONFLICT (project_id, file_path) DO UPDATE SET content = EXCLUDED.content, size = EXCLUDED.size,
                    version = project_files.version + 1, updated_at = now()
                RETURNING version""")) {
            upsert.setObject(1, UUID.randomUUID());
            upsert.setObject(2, project);
            upsert.setString(3, path);
            upsert.setString(4, content);
            upsert.setLong(5, content.getBytes(StandardCharsets.UTF_8).length);
            try (ResultSet row = upsert.executeQuery()) {
                row.next();
                return row.getLong(1);
            }
        }
    }

    private static long remove(Connection connection, UUID project, String path) throws SQLException {
        try (PreparedStatement delete = connection.prepareStatement(
                "DELETE FROM project_files WHERE project_id = ? AND file_path = ? RETURNING version")) {
            delete.setObject(1, project);
            delete.setString(2, path);
            try (ResultSet row = delete.executeQuery()) {
                return row.next() ? row.getLong(1) : 1;
            }
        }
    }

    private long version(String path) throws SQLException {
        try (Connection connection = database.getConnection(); PreparedStatement select = connection.prepareStatement(
                "SELECT version FROM project_files WHERE project_id = ? AND file_path = ?")) {
            select.setObject(1, project);
            select.setString(2, path);
            try (ResultSet row = select.executeQuery()) {
                return row.next() ? row.getLong(1) : 0;
            }
        }
    }

    private void notice(String path, long version) throws Exception {
        notices.send(new ProducerRecord<>(Topics.PROJECT_FILES.name(), project.toString(),
                new ProjectFileNotice(project, path, version, false))).get(10, TimeUnit.SECONDS);
    }

    /** A session of this test's user and project as the provisioner's row shows it, once the API's view has it. */
    private UUID session(SessionStatus status) throws Exception {
        UUID id = UUID.randomUUID();
        Instant now = Instant.now();
        SessionView row = new SessionView(id, user, project, status, null, null, "machine-" + id, "http://127.0.0.1:40000",
                "local", Tier.TEAM, null, 3, now, now, now, now, now.plusSeconds(3600),
                status.isTerminal() ? now : null, Duration.ofMinutes(30));
        sessions.send(new ProducerRecord<>(Topics.SESSIONS.name(), id.toString(), row)).get(10, TimeUnit.SECONDS);
        await().atMost(Duration.ofSeconds(30)).until(() -> getSession(id).statusCode() == 200);
        return id;
    }

    private HttpResponse<String> getSession(UUID id) {
        return service.send(service.request("/v1/sessions/" + id)
                .header("Authorization", bearer(TestTokens.user(user, Tier.TEAM))).GET());
    }

    private static HttpResponse<String> sync(UUID session, List<FileState> files, List<EditResult> results) {
        return sync(session, SessionSyncToken.of(SYNC_SECRET, session),
                EditCodec.encodeRequest(new SyncRequest(files, results)));
    }

    private static HttpResponse<String> sync(UUID session, String token, byte[] body) {
        var request = service.request("/machine/v1/sessions/" + session + "/sync")
                .timeout(Duration.ofSeconds(60))
                .header("Content-Type", "application/json")
                .POST(BodyPublishers.ofByteArray(body));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        return service.send(request);
    }

    private static double heldSyncs() {
        return service.bean(io.micrometer.core.instrument.MeterRegistry.class).get("velocity.sync.held").gauge().value();
    }

    /**
     * The provisioner's part of a write: applies each file command to {@code project_files}, answers it the way
     * spring-kafka's request/reply expects, and publishes the notices the CDC relay would.
     */
    private static final class PlayedProvisioner implements AutoCloseable {

        private final KafkaConsumer<String, FileCommand> commands;
        private final KafkaProducer<String, FileOutcome> replies;
        private final Thread thread;
        private volatile boolean running = true;

        PlayedProvisioner() {
            commands = new KafkaConsumer<>(Map.of(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap,
                    ConsumerConfig.GROUP_ID_CONFIG, "played-provisioner-" + UUID.randomUUID(),
                    ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "latest"), new StringDeserializer(),
                    Topics.PROJECT_FILE_COMMANDS.valueSerde().deserializer());
            replies = new KafkaProducer<>(Map.of(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap),
                    new StringSerializer(), Topics.PROJECT_FILE_REPLIES.valueSerde().serializer());
            commands.subscribe(List.of(Topics.PROJECT_FILE_COMMANDS.name()));
            // assigned before the first test writes, so no command is read past
            await().atMost(Duration.ofSeconds(60)).until(() -> {
                commands.poll(Duration.ofMillis(100));
                return !commands.assignment().isEmpty();
            });
            thread = new Thread(this::run, "played-provisioner");
            thread.setDaemon(true);
            thread.start();
        }

        private void run() {
            while (running) {
                for (ConsumerRecord<String, FileCommand> record : commands.poll(Duration.ofMillis(100))) {
                    try {
                        handle(record);
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }
            }
        }

        private void handle(ConsumerRecord<String, FileCommand> record) throws Exception {
            FileCommand.Write write = (FileCommand.Write) record.value();
            List<FileOutcome.FileResult> results = new ArrayList<>();
            List<ProjectFileNotice> changed = new ArrayList<>();
            try (Connection connection = database.getConnection()) {
                for (FileChange change : write.changes()) {
                    if (change instanceof FileChange.Put put) {
                        long version = upsert(connection, write.projectId(), put.path(), put.content());
                        results.add(new FileOutcome.FileResult(put.path(), version,
                                put.content().getBytes(StandardCharsets.UTF_8).length, FileRules.sha256(put.content()), false));
                        changed.add(new ProjectFileNotice(write.projectId(), put.path(), version, false));
                    } else {
                        long version = remove(connection, write.projectId(), change.path());
                        results.add(new FileOutcome.FileResult(change.path(), version, 0, FileRules.sha256(""), true));
                        changed.add(new ProjectFileNotice(write.projectId(), change.path(), version, true));
                    }
                }
            }
            Header topic = record.headers().lastHeader(KafkaHeaders.REPLY_TOPIC);
            Header partition = record.headers().lastHeader(KafkaHeaders.REPLY_PARTITION);
            ProducerRecord<String, FileOutcome> reply = new ProducerRecord<>(new String(topic.value(), StandardCharsets.UTF_8),
                    partition == null ? null : ByteBuffer.wrap(partition.value()).getInt(), record.key(),
                    new FileOutcome.Applied(write.commandId(), results));
            reply.headers().add(KafkaHeaders.CORRELATION_ID, record.headers().lastHeader(KafkaHeaders.CORRELATION_ID).value());
            replies.send(reply).get(10, TimeUnit.SECONDS);
            for (ProjectFileNotice notice : changed) {
                notices.send(new ProducerRecord<>(Topics.PROJECT_FILES.name(), notice.projectId().toString(), notice))
                        .get(10, TimeUnit.SECONDS);
            }
        }

        @Override
        public void close() throws InterruptedException {
            running = false;
            thread.join(5_000);
            commands.close();
            replies.close();
        }
    }
}
