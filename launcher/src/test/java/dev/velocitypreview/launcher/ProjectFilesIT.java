package dev.velocitypreview.launcher;

import java.io.IOException;
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

import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestDirectories;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;

/** The files API with the provisioner behind it: a write answered 200 is stored, a refused one changes nothing. */
class ProjectFilesIT {

    private static final String OWNER = "files-owner";
    private static final String STRANGER = "files-stranger";
    private static Path stateDir;
    private static EmbeddedPlatform platform;
    private static PlatformApi api;
    private static NamedParameterJdbcTemplate jdbc;

    @BeforeAll
    static void startPlatform() throws IOException {
        TestDatabase database = TestPostgres.shared().createDatabase();
        jdbc = new NamedParameterJdbcTemplate(database.dataSource());
        stateDir = TestDirectories.create("files-platform-");
        platform = EmbeddedPlatform.start(TestKafka.shared().bootstrapServers(),
                new EmbeddedPlatform.Database(database.jdbcUrl(), database.username(), database.password()),
                // a write waits for the provisioner's answer; a loaded CI box may take a while for the first
                stateDir, 0, 0, PlatformSecrets.random(), SharedServers.ownSettings("files_it",
                        Map.of("velocity.session-service.files.write-timeout", "30s")),
                step -> { })
                .awaitReady(Duration.ofMinutes(2));
        api = new PlatformApi(platform, Duration.ofSeconds(60));
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
        TestDirectories.remove(stateDir);
    }

    @Test
    void aFileWrittenIsReadBackWithItsVersionListedAndDeleted() throws Exception {
        UUID project = project(OWNER);

        HttpResponse<String> put = put(OWNER, project, "src/App.jsx", "export default () => <p>héllo</p>;\n", null);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(put.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(put.body()).contains("\"path\":\"src/App.jsx\"", "\"version\":1", "\"size\":36",
                "\"sha256\":\"");

        HttpResponse<String> read = get(OWNER, project, "src/App.jsx", Map.of());
        assertThat(read.statusCode()).isEqualTo(200);
        assertThat(read.body()).isEqualTo("export default () => <p>héllo</p>;\n");
        assertThat(read.headers().firstValue("ETag")).contains("\"1\"");
        assertThat(read.headers().firstValue("Content-Type")).hasValueSatisfying(type ->
                assertThat(type).startsWith("text/javascript").containsIgnoringCase("charset=utf-8"));
        assertThat(get(OWNER, project, "src/App.jsx", Map.of("If-None-Match", "\"1\"")).statusCode()).isEqualTo(304);

        HttpResponse<String> second = put(OWNER, project, "src/App.jsx", "v2", "\"1\"");
        assertThat(second.statusCode()).isEqualTo(200);
        assertThat(second.headers().firstValue("ETag")).contains("\"2\"");
        put(OWNER, project, "index.html", "<p>hi</p>", null);

        HttpResponse<String> listing = api.send(OWNER, HttpRequest.newBuilder(filesUrl(project)).GET());
        assertThat(listing.statusCode()).isEqualTo(200);
        assertThat(listing.body()).containsSubsequence("\"path\":\"index.html\"", "\"path\":\"src/App.jsx\",\"version\":2,\"size\":2");

        HttpResponse<String> deleted = api.send(OWNER, HttpRequest.newBuilder(fileUrl(project, "src/App.jsx"))
                .header("If-Match", "\"2\"").DELETE());
        assertThat(deleted.statusCode()).as(deleted.body()).isEqualTo(200);
        assertThat(deleted.body()).contains("\"version\":2", "\"deleted\":true");
        assertThat(get(OWNER, project, "src/App.jsx", Map.of()).body()).contains("\"code\":\"file_not_found\"");
    }

    @Test
    void aStaleIfMatchIsRefusedWith412NamingTheCurrentVersion() throws Exception {
        UUID project = project(OWNER);
        put(OWNER, project, "a.txt", "one", null);
        put(OWNER, project, "a.txt", "two", null);

        HttpResponse<String> stale = put(OWNER, project, "a.txt", "three", "\"1\"");
        HttpResponse<String> absent = put(OWNER, project, "b.txt", "x", "\"1\"");

        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(stale.body()).contains("\"code\":\"stale_version\"", "\"currentVersion\":2");
        assertThat(absent.statusCode()).isEqualTo(412);
        assertThat(get(OWNER, project, "a.txt", Map.of()).body()).isEqualTo("two");
        assertThat(get(OWNER, project, "b.txt", Map.of()).statusCode()).isEqualTo(404);
    }

    @Test
    void everyRuleIsRefusedWithItsOwnCodeAndNothingIsWritten() throws Exception {
        UUID project = project(OWNER);
        Map<String, String> batchPaths = Map.of(
                "/etc/passwd", "absolute_path",
                "../x.txt", "dot_segment",
                "a/./b.txt", "dot_segment",
                "a//b.txt", "empty_segment",
                "a\\\\b.txt", "backslash_in_path",
                "a\\u0001b.txt", "control_character_in_path",
                "a\\u0000b.txt", "control_character_in_path",
                "x".repeat(513), "path_too_long",
                "node_modules/react/index.js", "reserved_segment",
                ".git/config", "reserved_segment");
        for (Map.Entry<String, String> rule : batchPaths.entrySet()) {
            HttpResponse<String> refused = batch(OWNER, project, "{\"writes\":[{\"path\":\"ok.txt\",\"content\":\"x\"},"
                    + "{\"path\":\"" + rule.getKey() + "\",\"content\":\"x\"}]}");
            assertThat(refused.statusCode()).as(rule.getKey()).isEqualTo(400);
            assertThat(refused.body()).as(rule.getKey()).contains("\"code\":\"" + rule.getValue() + "\"");
        }

        assertThat(put(OWNER, project, "big.txt", "a".repeat((1 << 20) + 1), null).body())
                .contains("\"code\":\"file_too_large\"", "1048576");
        assertThat(put(OWNER, project, "package.json", "[]", null).body()).contains("\"code\":\"invalid_package_json\"");
        assertThat(put(OWNER, project, "package-lock.json", "{}", null).body()).contains("\"code\":\"invalid_package_lock\"");
        assertThat(put(OWNER, project, "node_modules/x.js", "x", null).body()).contains("\"code\":\"reserved_segment\"");
        HttpResponse<String> binary = api.send(OWNER, HttpRequest.newBuilder(fileUrl(project, "logo.png"))
                .PUT(HttpRequest.BodyPublishers.ofByteArray(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 1})));
        assertThat(binary.statusCode()).isEqualTo(415);
        assertThat(binary.body()).contains("\"code\":\"binary_content_not_supported\"");
        // the firewall turns away what a URL can smuggle before any rule runs
        HttpResponse<String> encodedDots = api.send(OWNER, HttpRequest.newBuilder(URI.create(filesUrl(project)
                + "/%2e%2e/x.txt")).PUT(HttpRequest.BodyPublishers.ofString("x")));
        assertThat(encodedDots.statusCode()).isEqualTo(400);

        assertThat(paths(project)).isEmpty();
        HttpResponse<String> listing = api.send(OWNER, HttpRequest.newBuilder(filesUrl(project)).GET());
        assertThat(listing.body()).isEqualTo("{\"files\":[]}");
    }

    @Test
    void aBatchIsAppliedWhole() throws Exception {
        UUID project = project(OWNER);
        put(OWNER, project, "old.css", "a{}", null);

        HttpResponse<String> applied = batch(OWNER, project, "{\"writes\":[{\"path\":\"src/main.js\",\"content\":\"1\"},"
                + "{\"path\":\"package.json\",\"content\":\"{\\\"name\\\":\\\"x\\\"}\"}],"
                + "\"deletes\":[{\"path\":\"old.css\",\"ifMatch\":1}]}");
        HttpResponse<String> stale = batch(OWNER, project, "{\"writes\":[{\"path\":\"src/other.js\",\"content\":\"1\"}],"
                + "\"deletes\":[{\"path\":\"src/main.js\",\"ifMatch\":\"\\\"7\\\"\"}]}");

        assertThat(applied.statusCode()).as(applied.body()).isEqualTo(200);
        assertThat(applied.body()).contains("\"path\":\"old.css\"", "\"deleted\":true");
        assertThat(stale.statusCode()).isEqualTo(412);
        assertThat(paths(project)).containsExactly("package.json", "src/main.js");
    }

    @Test
    void anotherUsersProjectIsNotFoundWhateverIsAsked() throws Exception {
        UUID project = project(OWNER);
        put(OWNER, project, "secret.txt", "mine", null);

        List<HttpResponse<String>> answers = List.of(
                get(STRANGER, project, "secret.txt", Map.of()),
                put(STRANGER, project, "secret.txt", "theirs", null),
                put(STRANGER, project, "new.txt", "theirs", null),
                api.send(STRANGER, HttpRequest.newBuilder(filesUrl(project)).GET()),
                api.send(STRANGER, HttpRequest.newBuilder(fileUrl(project, "secret.txt")).DELETE()),
                get(STRANGER, UUID.randomUUID(), "secret.txt", Map.of()));

        for (HttpResponse<String> answer : answers) {
            assertThat(answer.statusCode()).isEqualTo(404);
            assertThat(answer.body()).contains("\"code\":\"project_not_found\"");
        }
        assertThat(paths(project)).containsExactly("secret.txt");
        assertThat(get(OWNER, project, "secret.txt", Map.of()).body()).isEqualTo("mine");
    }

    private static UUID project(String owner) {
        UUID id = UUID.randomUUID();
        // test set-up: in the platform the provisioner creates a project for the first session that names it
        jdbc.update("INSERT INTO projects (id, name, owner_id) VALUES (:id, 'files test', :owner)",
                new MapSqlParameterSource("id", id).addValue("owner", owner));
        return id;
    }

    private static List<String> paths(UUID project) {
        return jdbc.queryForList("SELECT file_path FROM project_files WHERE project_id = :p ORDER BY file_path",
                new MapSqlParameterSource("p", project), String.class);
    }

    private static HttpResponse<String> put(String user, UUID project, String path, String content, String ifMatch)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(fileUrl(project, path))
                .header("Content-Type", "text/plain; charset=utf-8")
                .PUT(HttpRequest.BodyPublishers.ofString(content));
        if (ifMatch != null) {
            request.header("If-Match", ifMatch);
        }
        return api.send(user, request);
    }

    private static HttpResponse<String> get(String user, UUID project, String path, Map<String, String> headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(fileUrl(project, path)).GET();
        headers.forEach(request::header);
        return api.send(user, request);
    }

    private static HttpResponse<String> batch(String user, UUID project, String json) throws Exception {
        return api.send(user, HttpRequest.newBuilder(URI.create(filesUrl(project) + ":batch"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json)));
    }

    private static URI fileUrl(UUID project, String path) {
        return URI.create(filesUrl(project) + "/" + path);
    }

    private static URI filesUrl(UUID project) {
        return URI.create(platform.apiUrl() + "/v1/projects/" + project + "/files");
    }
}
