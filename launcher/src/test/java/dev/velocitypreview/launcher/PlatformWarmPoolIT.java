package dev.velocitypreview.launcher;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.local.LocalMachinesSettings;
import dev.velocitypreview.machines.local.LocalProcessDriver;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.testkit.RawHttp;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestDirectories;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static dev.velocitypreview.launcher.PlatformApi.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A warm pool of one react machine on the embedded platform, end to end with the real local driver, runtime and
 * Vite: the pooled machine serves nothing before its claim and cleanup leaves it alone; a session claims it and is
 * served at once; its project's own files are what the claimed machine shows, and its live edits go on.
 */
class PlatformWarmPoolIT {

    /** A cold install of the react template's dependencies from the registry, and its first compile, on a busy box. */
    private static final Duration COLD_START = Duration.ofMinutes(5);
    private static final Template REACT = TemplateCatalog.builtIn().named("react").orElseThrow();
    private static final String USER = "pool-" + UUID.randomUUID();

    private static EmbeddedPlatform platform;
    private static PlatformApi api;
    private static NamedParameterJdbcTemplate jdbc;
    private static LocalProcessDriver machines;

    private static Path stateDir;

    @BeforeAll
    static void startPlatformWithAWarmPool() throws Exception {
        TestDatabase database = TestPostgres.shared().createDatabase();
        stateDir = TestDirectories.create("pool-platform-");
        platform = EmbeddedPlatform.start(TestKafka.shared().bootstrapServers(),
                new EmbeddedPlatform.Database(database.jdbcUrl(), database.username(), database.password()),
                stateDir, 0, 0, PlatformSecrets.random(), SharedServers.ownSettings("pool_it", Map.of(
                        "velocity.provisioner.pool.templates.react", 1,
                        "velocity.provisioner.pool.refill-interval", "500ms",
                        "velocity.provisioner.pool.warm-timeout", COLD_START.toSeconds() + "s",
                        "velocity.provisioner.ready-timeout", COLD_START.toSeconds() + "s",
                        // cleanup would reap any machine without a live session at once
                        "velocity.cleanup.orphan-grace", "1s",
                        "velocity.router.max-hold", "20s")),
                step -> { })
                .awaitReady(Duration.ofMinutes(2));
        api = new PlatformApi(platform, Duration.ofMinutes(1));
        jdbc = new NamedParameterJdbcTemplate(database.dataSource());
        machines = new LocalProcessDriver(LocalMachinesSettings.defaults(stateDir.resolve("machines")));
        awaitPoolReady();
    }

    @AfterAll
    static void stopPlatform() {
        if (machines != null) {
            machines.close();
        }
        if (platform != null) {
            platform.close();
        }
        TestDirectories.remove(stateDir);
    }

    @Test
    void aPooledMachineServesNothingBeforeItsClaimAndCleanupLeavesItAlone() throws Exception {
        PooledMachine pooled = awaitPoolReady();
        int port = URI.create(pooled.url()).getPort();

        RawHttp.Answer page = RawHttp.send(port, "GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/html");
        assertThat(page.status()).as(page.body()).isEqualTo(403);
        assertThat(page.body()).contains("warm pool");
        assertThat(RawHttp.send(port, "GET /health HTTP/1.1\r\nHost: 127.0.0.1").status()).isEqualTo(200);

        HttpResponse<String> pass = api.send("operator", java.util.Set.of("admin"),
                HttpRequest.newBuilder(URI.create(platform.apiUrl() + "/v1/admin/cleanup"))
                        .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(pass.statusCode()).as(pass.body()).isEqualTo(200);
        assertThat(machines.listPooled()).extracting(PooledMachine::id).contains(pooled.id());
    }

    /**
     * A session of a new react project claims the warm machine; an edit of its main component reaches it live; a later
     * session of the same project claims the next warm machine, whose page shows the project's component, not the
     * template's, from its first answer.
     */
    @Test
    void aSessionClaimsTheWarmMachineAndItShowsTheProjectsOwnFiles() throws Exception {
        PooledMachine warm = awaitPoolReady();
        UUID project = UUID.randomUUID();
        String first = createSession(project);
        assertThat(field(awaitActive(first), "machineId")).as("the warm machine").isEqualTo(warm.id());
        assertThat(awaitServed(first, "/").body()).containsIgnoringCase("<html");

        String edited = mainFile().replace("Hello from", "Warm and mine,");
        assertThat(edited).isNotEqualTo(mainFile());
        HttpResponse<String> written = api.put(USER, "/v1/projects/" + project + "/files/" + REACT.mainFile()
                + "?wait=applied", edited);
        assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
        assertThat(written.body()).contains("\"outcome\":\"applied\"");
        assertThat(awaitServed(first, "/" + REACT.mainFile()).body()).contains("Warm and mine,");
        HttpResponse<String> ended = api.send(USER, HttpRequest.newBuilder(URI.create(statusUrl(first))).DELETE());
        assertThat(ended.statusCode()).as(ended.body()).isIn(200, 202, 204);

        PooledMachine next = awaitPoolReady();
        assertThat(next.id()).as("a claimed machine is never pooled again").isNotEqualTo(warm.id());
        String second = createSession(project);
        assertThat(field(awaitActive(second), "machineId")).isEqualTo(next.id());
        assertThat(awaitServed(second, "/" + REACT.mainFile()).body()).as("the project's component, not the template's")
                .contains("Warm and mine,");
    }

    private static PooledMachine awaitPoolReady() {
        return await().atMost(COLD_START).pollInterval(Duration.ofMillis(500)).until(() -> {
            List<String> ready = jdbc.queryForList("SELECT machine_id FROM machine_pool WHERE state = 'ready'",
                    new MapSqlParameterSource(), String.class);
            return machines.listPooled().stream().filter(machine -> ready.contains(machine.id())).findFirst().orElse(null);
        }, machine -> machine != null);
    }

    private static String createSession(UUID project) throws Exception {
        HttpResponse<String> created = api.post(USER, Tier.FREE, "/v1/sessions",
                "{\"projectId\":\"" + project + "\",\"template\":\"react\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
        return created.body();
    }

    private static String statusUrl(String created) {
        return field(created, "statusUrl");
    }

    private static String awaitActive(String created) {
        return await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(200)).until(
                () -> api.get(USER, statusUrl(created)).body(), body -> body.contains("\"status\":\"ACTIVE\""));
    }

    private static RawHttp.Answer awaitServed(String created, String path) {
        URI preview = URI.create(field(created, "previewUrl"));
        return await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500))
                .until(() -> RawHttp.send(preview.getPort(), "GET " + path + " HTTP/1.1\r\nHost: " + preview.getAuthority()
                        + "\r\nAccept: */*"), answer -> answer.status() == 200);
    }

    private static String mainFile() {
        return REACT.files().stream().filter(file -> file.path().equals(REACT.mainFile())).findFirst().orElseThrow()
                .content();
    }
}
