package dev.velocitypreview.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.testkit.LoopbackPreviews;
import dev.velocitypreview.testkit.StaticProjects;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestDirectories;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The spine's user steps, end to end, on a real broker, a real PostgreSQL, Debezium and real machines. */
class PlatformEndToEndIT {

    private static final String USER = "e2e-user";
    private static Path stateDir;
    private static EmbeddedPlatform platform;
    private static PlatformApi api;
    private static DataSource projectTables;

    @BeforeAll
    static void startPlatform() throws IOException {
        TestDatabase database = TestPostgres.shared().createDatabase();
        stateDir = TestDirectories.create("e2e-platform-");
        platform = EmbeddedPlatform.start(TestKafka.shared().bootstrapServers(),
                new EmbeddedPlatform.Database(database.jdbcUrl(), database.username(), database.password()),
                // 200 preview JVMs starting at once on two cores take minutes, not the default minute
                stateDir, 0, 0, PlatformSecrets.random(), SharedServers.ownSettings("e2e_it", Map.of(
                        "velocity.router.max-hold", "240s", "velocity.provisioner.ready-timeout", "180s")),
                step -> { })
                .awaitReady(Duration.ofMinutes(2));
        api = new PlatformApi(platform, Duration.ofSeconds(300));
        projectTables = database.dataSource();
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
        TestDirectories.remove(stateDir);
    }

    @Test
    void aSessionGoesFromRequestToPreviewToTerminated() throws Exception {
        UUID projectId = StaticProjects.create(projectTables, USER);

        // 2. POST answers 202 at once, before any machine exists
        HttpResponse<String> created = post("/v1/sessions", "{\"projectId\":\"" + projectId + "\"}", Map.of());
        assertThat(created.statusCode()).isEqualTo(202);
        assertThat(created.body()).contains("\"status\":\"REQUESTED\"");
        String sessionId = field(created.body(), "sessionId");
        String previewUrl = field(created.body(), "previewUrl");
        String statusUrl = field(created.body(), "statusUrl");

        // 3. the preview, requested right away, is held until ready and then served
        HttpResponse<String> page = get(previewUrl);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(projectId.toString());

        // 4. the status comes from the session service's own view, a separate reader of the changelog
        // from the router's: it shows ACTIVE soon after the page was served, not necessarily at once
        HttpResponse<String> status = await().atMost(Duration.ofSeconds(10)).until(() -> get(statusUrl),
                response -> response.statusCode() == 200 && response.body().contains("\"status\":\"ACTIVE\""));
        assertThat(status.body()).contains("\"machineId\":\"local-");
        assertThat(get(platform.apiUrl() + "/v1/sessions").body()).contains(sessionId);

        // 5. DELETE answers 202; then the machine is gone, the row terminated, the preview 410
        HttpResponse<String> deleted = send(HttpRequest.newBuilder(URI.create(statusUrl)).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get(statusUrl).body()).contains("\"status\":\"TERMINATED\"").contains("\"statusReason\":\"user\""));
        assertThat(machinesOf(sessionId)).isEmpty();
        // the router reads the changelog on its own, so it may learn of the end a little after the API
        HttpResponse<String> gone = await().atMost(Duration.ofSeconds(10)).until(() -> get(previewUrl),
                response -> response.statusCode() == 410);
        assertThat(gone.body()).contains("terminated");
    }

    @Test
    void theDemoProjectIsMadeFromTheDefaultTemplateAndServedOnItsOwnHost() throws Exception {
        String user = "demo-" + UUID.randomUUID();
        HttpResponse<String> created = post(user, "/v1/sessions", "{\"projectId\":\"" + Launcher.DEMO_PROJECT + "\"}",
                Map.of());
        assertThat(created.statusCode()).isEqualTo(202);
        String sessionId = field(created.body(), "sessionId");
        String previewUrl = field(created.body(), "previewUrl");
        assertThat(previewUrl).isEqualTo("http://" + sessionId + ".preview.localhost:" + platform.routerPort() + "/");

        HttpResponse<String> page = api.get(user, previewUrl);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<title>React on Vite</title>", "<div id=\"root\"></div>");
        // the page loads its code by absolute paths, which resolve on the preview's own origin
        assertThat(api.get(user, previewUrl + "src/App.jsx").statusCode()).isEqualTo(200);
    }

    @Test
    void aPrivatePreviewOpensOnlyWithItsToken() throws Exception {
        UUID projectId = StaticProjects.create(projectTables, USER);
        HttpResponse<String> created = post("/v1/sessions",
                "{\"projectId\":\"" + projectId + "\",\"visibility\":\"private\"}", Map.of());
        assertThat(created.statusCode()).isEqualTo(202);
        String previewUrl = field(created.body(), "previewUrl");
        assertThat(previewUrl).contains("preview_token=");

        // a browser: follows the token exchange and keeps the cookie it sets
        HttpClient browser = HttpClient.newBuilder().proxy(LoopbackPreviews.SELECTOR).followRedirects(HttpClient.Redirect.NORMAL)
                .cookieHandler(new java.net.CookieManager()).version(HttpClient.Version.HTTP_1_1).build();
        HttpResponse<String> page = browser.send(HttpRequest.newBuilder(URI.create(previewUrl))
                .timeout(Duration.ofSeconds(120)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(projectId.toString());

        String withoutToken = previewUrl.substring(0, previewUrl.indexOf('?'));
        HttpResponse<String> stranger = api.sendAnonymously(HttpRequest.newBuilder(URI.create(withoutToken)));
        assertThat(stranger.statusCode()).isEqualTo(401);
        assertThat(browser.send(HttpRequest.newBuilder(URI.create(withoutToken)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode()).isEqualTo(200);
    }

    @Test
    void anIdempotencyKeyReturnsTheSameSession() throws Exception {
        String body = "{\"projectId\":\"" + StaticProjects.create(projectTables, USER) + "\"}";
        Map<String, String> key = Map.of("Idempotency-Key", "retry-" + UUID.randomUUID());
        String first = field(post("/v1/sessions", body, key).body(), "sessionId");
        String second = field(post("/v1/sessions", body, key).body(), "sessionId");
        assertThat(second).isEqualTo(first);
        assertThat(get(field(post("/v1/sessions", body, key).body(), "previewUrl")).statusCode()).isEqualTo(200);
        assertThat(machinesOf(first)).hasSize(1);
    }

    @Test
    void twoHundredConcurrentSessionsAllServeTheirPageAndNoneIsNotFound() throws Exception {
        int sessions = 200;
        ExecutorService pool = Executors.newFixedThreadPool(64);
        try {
            List<CompletableFuture<String>> outcomes = new ArrayList<>();
            List<String> ids = java.util.Collections.synchronizedList(new ArrayList<>());
            for (int i = 0; i < sessions; i++) {
                // one user each: the free tier allows a user only a couple of sessions at a time
                String user = "crowd-" + i;
                outcomes.add(CompletableFuture.supplyAsync(() -> {
                    try {
                        UUID projectId = StaticProjects.create(projectTables, user);
                        HttpResponse<String> created = post(user, "/v1/sessions",
                                "{\"projectId\":\"" + projectId + "\"}", Map.of());
                        if (created.statusCode() != 202) {
                            return "create " + created.statusCode();
                        }
                        ids.add(user + " " + field(created.body(), "sessionId"));
                        HttpResponse<String> page = get(field(created.body(), "previewUrl"));
                        return page.statusCode() == 200 && page.body().contains(projectId.toString())
                                ? "page" : "preview " + page.statusCode() + " " + page.body();
                    } catch (Exception e) {
                        return "failed " + e;
                    }
                }, pool));
            }
            Map<String, Long> byOutcome = outcomes.stream().map(CompletableFuture::join)
                    .collect(Collectors.groupingBy(outcome -> outcome, Collectors.counting()));
            assertThat(byOutcome).containsExactly(Map.entry("page", (long) sessions));

            for (String owned : ids) {
                String[] userAndId = owned.split(" ");
                send(userAndId[0], HttpRequest.newBuilder(URI.create(platform.apiUrl() + "/v1/sessions/" + userAndId[1])).DELETE());
            }
            await().atMost(Duration.ofSeconds(120))
                    .until(() -> ids.stream().allMatch(owned -> machinesOf(owned.split(" ")[1]).isEmpty()));
        } finally {
            pool.shutdownNow();
        }
    }

    private static List<Path> machinesOf(String sessionId) {
        Path root = stateDir.resolve("machines");
        if (!Files.isDirectory(root)) {
            return List.of();
        }
        try (Stream<Path> dirs = Files.list(root)) {
            return dirs.filter(dir -> {
                try {
                    Path descriptor = dir.resolve("machine.json");
                    return Files.exists(descriptor) && Files.readString(descriptor).contains(sessionId);
                } catch (IOException e) {
                    return false;
                }
            }).toList();
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static HttpResponse<String> post(String path, String json, Map<String, String> headers) throws Exception {
        return api.post(USER, path, json, headers);
    }

    private static HttpResponse<String> post(String user, String path, String json, Map<String, String> headers)
            throws Exception {
        return api.post(user, path, json, headers);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return api.get(USER, url);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return api.send(USER, request);
    }

    private static HttpResponse<String> send(String user, HttpRequest.Builder request) throws Exception {
        return api.send(user, request);
    }

    private static String field(String json, String name) {
        return PlatformApi.field(json, name);
    }
}
