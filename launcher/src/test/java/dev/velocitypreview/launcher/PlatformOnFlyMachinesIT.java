package dev.velocitypreview.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Collectors;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import mockwebserver3.RecordedRequest;
import okhttp3.HttpUrl;

import dev.velocitypreview.core.access.SessionSyncToken;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The spine's user steps with previews on Fly Machines: the same platform as {@link PlatformEndToEndIT}, switched
 * to the Fly driver by configuration alone, against a stand-in for Fly's Machines API ({@link RecordingFlyMachines}).
 */
class PlatformOnFlyMachinesIT {

    private static final String USER = "fly-e2e-user";
    private static final String IMAGE = "registry.fly.io/velocity-previews:e2e";
    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final PlatformSecrets SECRETS = PlatformSecrets.random();
    private static RecordingFlyMachines fly;
    private static EmbeddedPlatform platform;
    private static PlatformApi api;

    @BeforeAll
    static void startPlatform() throws IOException {
        fly = RecordingFlyMachines.start();
        TestDatabase database = TestPostgres.shared().createDatabase();
        Map<String, Object> settings = new HashMap<>();
        settings.put("velocity.provisioner.machines.driver", "fly");
        settings.put("velocity.provisioner.machines.fly.base-url", fly.apiUrl());
        settings.put("velocity.provisioner.machines.fly.token", RecordingFlyMachines.TOKEN);
        settings.put("velocity.provisioner.machines.fly.app", RecordingFlyMachines.APP);
        settings.put("velocity.provisioner.machines.fly.image", IMAGE);
        settings.put("velocity.provisioner.machines.fly.regions", "ams");
        settings.put("velocity.provisioner.machines.fly.machine-url", fly.machineUrl());
        platform = EmbeddedPlatform.start(TestKafka.shared().bootstrapServers(),
                new EmbeddedPlatform.Database(database.jdbcUrl(), database.username(), database.password()),
                Files.createTempDirectory("fly-e2e-platform-"), 0, 0, SECRETS, SharedServers.ownSettings("fly_e2e", settings),
                step -> { })
                .awaitReady(Duration.ofMinutes(2));
        api = new PlatformApi(platform, Duration.ofSeconds(120));
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
        if (fly != null) {
            fly.close();
        }
    }

    @Test
    void aSessionGoesFromRequestToPreviewToTerminatedOnAFlyMachine() throws Exception {
        UUID projectId = UUID.randomUUID();

        // POST answers 202 at once, before any machine exists
        HttpResponse<String> created = post("{\"projectId\":\"" + projectId + "\"}");
        assertThat(created.statusCode()).isEqualTo(202);
        assertThat(created.body()).contains("\"status\":\"REQUESTED\"");
        String sessionId = field(created.body(), "sessionId");
        String previewUrl = field(created.body(), "previewUrl");
        String statusUrl = field(created.body(), "statusUrl");

        // the preview, requested right away, is held until the machine is ready and then served by it
        HttpResponse<String> page = get(previewUrl);
        assertThat(page.statusCode()).isEqualTo(200);
        // a new project, made from the default template: the machine got its files and serves its page
        assertThat(page.body()).isEqualTo(TemplateCatalog.builtIn().named(TemplateCatalog.DEFAULT).orElseThrow().files()
                .stream().filter(file -> file.path().equals("index.html")).findFirst().orElseThrow().content());

        // the API's view and the router's are separate readers of the changelog: the API's may trail
        // the router's by a few milliseconds, so the status shows ACTIVE soon after the page, not at once
        HttpResponse<String> status = await().atMost(Duration.ofSeconds(10)).until(() -> get(statusUrl),
                response -> response.statusCode() == 200 && response.body().contains("\"status\":\"ACTIVE\""));
        String machineId = field(status.body(), "machineId");
        assertThat(machineId).matches("[0-9a-f]{14}");

        // what the driver asked of Fly: look the session up once (the driver, right before creating; the
        // provisioner does not, for a row it has just written), create once, wait for the machine to start
        String machines = RecordingFlyMachines.MACHINES;
        String lookup = "GET " + machines + "?metadata.session_id=" + sessionId;
        List<RecordedRequest> calls = callsAbout(sessionId, machineId);
        assertThat(calls).extracting(PlatformOnFlyMachinesIT::describe).hasSize(3).startsWith(lookup, "POST " + machines);
        // the wait's timeout is what is left of the provisioner's ready timeout, at most Fly's 60 s
        assertThat(describe(calls.get(2))).matches("GET " + machines + "/" + machineId + "/wait\\?state=started&timeout=(60|[1-5][0-9])");
        assertThat(calls).allSatisfy(call ->
                assertThat(call.getHeaders().get("Authorization")).isEqualTo("Bearer " + RecordingFlyMachines.TOKEN));
        JsonNode config = JSON.readTree(calls.get(1).getBody().utf8()).path("config");
        assertThat(JSON.readTree(calls.get(1).getBody().utf8()).path("region").asString()).isEqualTo("ams");
        // the size the API's tier table grants the free tier, sent with the CREATE
        assertThat(config.path("guest").toString()).isEqualTo("{\"cpu_kind\":\"shared\",\"cpus\":1,\"memory_mb\":256}");
        assertThat(config.path("image").asString()).isEqualTo(IMAGE);
        assertThat(config.path("metadata").path("session_id").asString()).isEqualTo(sessionId);
        assertThat(config.path("metadata").path("project_id").asString()).isEqualTo(projectId.toString());
        assertThat(config.path("metadata").path("user_id").asString()).isEqualTo(USER);
        assertThat(config.path("metadata").path("managed_by").asString()).isEqualTo("velocity-preview");
        assertThat(config.path("env").path("PREVIEW_SESSION_ID").asString()).isEqualTo(sessionId);
        // live edits: the machine syncs from the embedded API with its own session's token
        assertThat(config.path("env").path("PREVIEW_SYNC_URL").asString())
                .isEqualTo(platform.apiUrl() + "/machine/v1/sessions/" + sessionId + "/sync");
        assertThat(SessionSyncToken.matches(SECRETS.syncSecret().value(), UUID.fromString(sessionId),
                config.path("env").path("PREVIEW_SYNC_TOKEN").asString())).isTrue();

        // DELETE answers 202; then the machine is destroyed, the row terminated, the preview 410
        HttpResponse<String> deleted = send(HttpRequest.newBuilder(URI.create(statusUrl)).DELETE());
        assertThat(deleted.statusCode()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(get(statusUrl).body()).contains("\"status\":\"TERMINATED\"").contains("\"statusReason\":\"user\""));
        assertThat(fly.exists(machineId)).isFalse();
        // the machine destroyed, then a last look for any other machine of the session
        assertThat(callsAbout(sessionId, machineId)).extracting(PlatformOnFlyMachinesIT::describe).endsWith(
                "DELETE " + machines + "/" + machineId + "?force=true", lookup);
        // the router reads the changelog on its own, so it may learn of the end a little after the API
        HttpResponse<String> gone = await().atMost(Duration.ofSeconds(10)).until(() -> get(previewUrl),
                response -> response.statusCode() == 410);
        assertThat(gone.body()).contains("terminated");
    }

    /** The API requests that name the session (in a metadata filter or the create) or its machine, in order. */
    private static List<RecordedRequest> callsAbout(String sessionId, String machineId) {
        return fly.requests().stream().filter(request ->
                sessionId.equals(request.getUrl().queryParameter("metadata.session_id"))
                        || request.getUrl().encodedPath().startsWith(RecordingFlyMachines.MACHINES + "/" + machineId)
                        || request.getBody() != null && request.getBody().utf8().contains(sessionId)).toList();
    }

    /** Method, path and query of an API request, the query decoded. */
    private static String describe(RecordedRequest request) {
        HttpUrl url = request.getUrl();
        String query = url.queryParameterNames().stream().sorted()
                .map(name -> name + "=" + url.queryParameter(name)).collect(Collectors.joining("&"));
        return request.getMethod() + " " + url.encodedPath() + (query.isEmpty() ? "" : "?" + query);
    }

    private static HttpResponse<String> post(String json) throws Exception {
        return api.post(USER, "/v1/sessions", json, Map.of());
    }

    private static HttpResponse<String> get(String url) throws Exception {
        return api.get(USER, url);
    }

    private static HttpResponse<String> send(HttpRequest.Builder request) throws Exception {
        return api.send(USER, request);
    }

    private static String field(String json, String name) {
        return PlatformApi.field(json, name);
    }
}
