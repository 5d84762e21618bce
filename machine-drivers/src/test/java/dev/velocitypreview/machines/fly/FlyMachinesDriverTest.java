package dev.velocitypreview.machines.fly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.json.JsonMapper;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;

import dev.velocitypreview.core.access.SessionReplayState;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.ProjectFile;

/**
 * The driver against a stand-in for Fly's Machines API that answers with the documented shapes;
 * every request's method, path, query and body is checked.
 */
class FlyMachinesDriverTest {

    static final String APP = "velocity-previews";
    static final String MACHINES = "/v1/apps/" + APP + "/machines";
    static final String IMAGE = "registry.fly.io/velocity-previews:test";
    private static final String MACHINE = "e784079b449483";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final UUID session = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private final MockWebServer fly = new MockWebServer();
    private final MockWebServer runtime = new MockWebServer();
    private final RecordingFly api = new RecordingFly();
    private FlyMachinesDriver driver;

    @BeforeEach
    void start() throws Exception {
        fly.setDispatcher(api);
        fly.start();
        runtime.start();
        driver = new FlyMachinesDriver(settings());
    }

    @AfterEach
    void stop() {
        driver.close();
        fly.close();
        runtime.close();
    }

    @Test
    void aCreatedMachineIsReadyOnceFlyReportsItStartedAndItsRuntimeIsHealthy() throws Exception {
        api.then(200, "[]")
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"))
                .then(408, "{\"error\":\"machine did not reach state started within 5s\"}")
                .then(200, "{\"ok\":true}");
        runtime.enqueue(RecordingFly.json(503, "{\"status\":\"starting\",\"checks\":[]}"));
        runtime.enqueue(RecordingFly.json(200, "{\"status\":\"ready\"}"));

        Machine created = driver.create(spec());
        Machine ready = driver.awaitReady(created, Duration.ofSeconds(20));

        assertThat(created).isEqualTo(new Machine(MACHINE, session, MachineState.CREATED, null, "ams", Instant.parse("2024-05-20T17:07:36Z")));
        assertThat(ready).isEqualTo(new Machine(MACHINE, session, MachineState.STARTED, runtimeUrl(), "ams", Instant.parse("2024-05-20T17:07:36Z")));
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(4);
        assertGet(requests.get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
        assertPost(requests.get(1), MACHINES, createBody("ams"));
        assertGet(requests.get(2), MACHINES + "/" + MACHINE + "/wait", Map.of("state", "started", "timeout", "5"));
        assertGet(requests.get(3), MACHINES + "/" + MACHINE + "/wait", Map.of("state", "started", "timeout", "5"));
        assertThat(requests).allSatisfy(request ->
                assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer test-token"));
        assertThat(runtime.getRequestCount()).isEqualTo(2);
        assertThat(runtime.takeRequest(1, TimeUnit.SECONDS).getUrl().encodedPath()).isEqualTo("/health");
    }

    @Test
    void aMachineIsGivenItsOwnSessionsReplayStateNeverTheRoutersSecret() {
        String secret = "replay-secret-replay-secret-replay-secret";
        driver = new FlyMachinesDriver(settings().withRuntime(settings().runtime().withReplaySecret(new Secret(secret))));
        api.then(200, "[]")
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"));

        driver.create(spec());

        String body = api.requests().get(1).getBody().utf8();
        assertThat(body).contains("\"PREVIEW_REPLAY_STATE\":\"" + SessionReplayState.of(secret, session) + "\"")
                .doesNotContain(secret);
    }

    @Test
    void theEnvironmentTheProvisionerGivesAMachineIsInItsConfig() {
        api.then(200, "[]")
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"));
        MachineSpec syncing = new MachineSpec(session, "user-1", project, spec().size(), "attempt-1", spec().files(),
                Map.of("PREVIEW_SYNC_URL", "http://api.internal:8080/machine/v1/sessions/" + session + "/sync",
                        "PREVIEW_SYNC_TOKEN", "token-of-this-session"));

        driver.create(syncing);

        String body = api.requests().get(1).getBody().utf8();
        assertThat(body)
                .contains("\"PREVIEW_SYNC_URL\":\"http://api.internal:8080/machine/v1/sessions/" + session + "/sync\"")
                .contains("\"PREVIEW_SYNC_TOKEN\":\"token-of-this-session\"");
    }

    @Test
    void aMachineGetsTheSizeItsSessionWasGranted() {
        api.then(200, "[]")
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"));
        MachineSpec granted = new MachineSpec(session, "user-1", project, new MachineSize("performance", 2, 4096), "attempt-1", spec().files(), Map.of());

        driver.create(granted);

        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(2);
        assertPost(requests.get(1), MACHINES,
                createBody("ams", "{\"cpu_kind\": \"performance\", \"cpus\": 2, \"memory_mb\": 4096}"));
    }

    @Test
    void aCreateAnsweredWithAServerErrorIsLookedUpAndTheMachineItMadeIsUsedInsteadOfCreatingAnother() {
        api.then(200, "[]")
                .then(500, "{\"error\":\"internal server error\",\"status\":\"unknown\"}")
                .then(200, "[]") // Fly's list lags behind the create
                .then(200, "[" + machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z") + "]");

        Machine machine = driver.create(spec());

        assertThat(machine).isEqualTo(new Machine(MACHINE, session, MachineState.CREATED, null, "ams", Instant.parse("2024-05-20T17:07:36Z")));
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(4);
        assertGet(requests.get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
        assertPost(requests.get(1), MACHINES, createBody("ams"));
        assertGet(requests.get(2), MACHINES, Map.of("metadata.session_id", session.toString()));
        assertGet(requests.get(3), MACHINES, Map.of("metadata.session_id", session.toString()));
    }

    @Test
    void aCreateWithoutAnAnswerIsLookedUpSeveralTimesBeforeTheSameCreateIsSentAgain() {
        api.then(200, "[]")
                .then(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build())
                .then(200, "[]").then(200, "[]").then(200, "[]")
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"));

        Machine machine = driver.create(spec());

        assertThat(machine.id()).isEqualTo(MACHINE);
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(6);
        assertGet(requests.get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
        assertPost(requests.get(1), MACHINES, createBody("ams"));
        for (int look = 2; look <= 4; look++) {
            assertGet(requests.get(look), MACHINES, Map.of("metadata.session_id", session.toString()));
        }
        assertPost(requests.get(5), MACHINES, createBody("ams"));
    }

    @Test
    void aSessionThatAlreadyHasAMachineGetsThatMachineAndNoCreate() {
        api.then(200, "[" + machineJson(MACHINE, "started", session, "fra", "true", "2024-05-20T17:07:36Z") + "]");

        Machine machine = driver.create(spec());

        assertThat(machine).isEqualTo(new Machine(MACHINE, session, MachineState.STARTED, runtimeUrl(), "fra", Instant.parse("2024-05-20T17:07:36Z")));
        assertThat(api.requests()).hasSize(1);
        assertGet(api.requests().get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
    }

    @Test
    void aMachineFlyCouldNotLaunchIsDestroyedAndReplaced() {
        String failed = "0e286064b18670";
        api.then(200, "[" + machineJson(failed, "failed", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z") + "]")
                .then(200, "{\"ok\":true}")
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:09:00Z"));

        Machine machine = driver.create(spec());

        assertThat(machine).isEqualTo(new Machine(MACHINE, session, MachineState.CREATED, null, "ams", Instant.parse("2024-05-20T17:09:00Z")));
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(3);
        assertGet(requests.get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
        assertRequest(requests.get(1), "DELETE", MACHINES + "/" + failed, Map.of("force", "true"));
        assertPost(requests.get(2), MACHINES, createBody("ams"));
    }

    @Test
    void tooManyRequestsWithRetryAfterIsTriedAgainNoSoonerThanFlyAsked() {
        api.then(200, "[]")
                .then(new MockResponse.Builder(RecordingFly.json(429, "{\"error\":\"rate limit exceeded\"}"))
                        .addHeader("Retry-After", "1").build())
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"));

        Machine machine = driver.create(spec());

        assertThat(machine.id()).isEqualTo(MACHINE);
        List<RecordingFly.Arrival> arrivals = api.arrivals();
        assertThat(arrivals).hasSize(3);
        assertGet(arrivals.get(0).request(), MACHINES, Map.of("metadata.session_id", session.toString()));
        // a 429 was refused, not possibly done: no lookup before trying again
        assertPost(arrivals.get(1).request(), MACHINES, createBody("ams"));
        assertPost(arrivals.get(2).request(), MACHINES, createBody("ams"));
        assertThat(arrivals.get(2).nanos() - arrivals.get(1).nanos()).isGreaterThanOrEqualTo(TimeUnit.SECONDS.toNanos(1));
    }

    @Test
    void tooManyRequestsWithoutRetryAfterIsTriedAgainAfterABackoff() {
        api.then(200, "[]")
                .then(429, "{\"error\":\"rate limit exceeded\"}")
                .then(429, "{\"error\":\"rate limit exceeded\"}")
                .then(200, machineJson(MACHINE, "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"));

        Machine machine = driver.create(spec());

        assertThat(machine.id()).isEqualTo(MACHINE);
        List<RecordingFly.Arrival> arrivals = api.arrivals();
        assertThat(arrivals).hasSize(4);
        assertGet(arrivals.get(0).request(), MACHINES, Map.of("metadata.session_id", session.toString()));
        for (int i = 1; i <= 3; i++) {
            assertPost(arrivals.get(i).request(), MACHINES, createBody("ams"));
        }
        // initial backoff 10 ms, at least half of it, then at least half of 20 ms
        assertThat(arrivals.get(2).nanos() - arrivals.get(1).nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(5));
        assertThat(arrivals.get(3).nanos() - arrivals.get(2).nanos()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(10));
    }

    @Test
    void tooManyRequestsUntilTheAttemptsRunOutIsATransientFailure() {
        for (int i = 0; i < 4; i++) {
            api.then(429, "{\"error\":\"rate limit exceeded\"}");
        }

        assertThatThrownBy(() -> driver.findBySession(session))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageContaining("after 4 attempts")
                .hasMessageContaining("HTTP 429: rate limit exceeded (fly-request-id 01TESTREQUEST-429)");
        assertThat(api.requests()).hasSize(4).allSatisfy(request ->
                assertGet(request, MACHINES, Map.of("metadata.session_id", session.toString())));
    }

    @Test
    void aRegionOutOfCapacityMovesTheCreateToTheNextRegion() {
        api.then(200, "[]")
                .then(422, "{\"error\":\"insufficient resources available to fulfill request\",\"status\":\"insufficient_capacity\"}")
                .then(200, machineJson(MACHINE, "created", session, "fra", "\"stop\"", "2024-05-20T17:07:36Z"));

        Machine machine = driver.create(spec());

        assertThat(machine).isEqualTo(new Machine(MACHINE, session, MachineState.CREATED, null, "fra", Instant.parse("2024-05-20T17:07:36Z")));
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(3);
        assertGet(requests.get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
        assertPost(requests.get(1), MACHINES, createBody("ams"));
        assertPost(requests.get(2), MACHINES, createBody("fra"));
    }

    @Test
    void everyRegionOutOfCapacityIsATransientFailure() {
        String full = "{\"error\":\"no capacity\",\"status\":\"insufficient_capacity\"}";
        api.then(200, "[]").then(412, full).then(412, full);

        assertThatThrownBy(() -> driver.create(spec()))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessage("no capacity for the machine of session " + session + " in any region of [ams, fra]");
        assertThat(api.requests()).hasSize(3);
    }

    @Test
    void anUnprocessableCreateFailsForGoodWithFlysMessage() {
        api.then(200, "[]")
                .then(422, "{\"error\":\"your organization has reached its machine limit\",\"status\":\"unknown\"}");

        assertThatThrownBy(() -> driver.create(spec()))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("Fly refused to create a machine for session " + session + " in ams: HTTP 422: "
                        + "your organization has reached its machine limit (fly-request-id 01TESTREQUEST-422)");
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(2);
        assertGet(requests.get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
        assertPost(requests.get(1), MACHINES, createBody("ams"));
    }

    @Test
    void anUnauthorizedTokenFailsForGoodWithFlysMessage() {
        api.then(401, "{\"error\":\"You must be authenticated to view this.\"}");

        assertThatThrownBy(() -> driver.create(spec()))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("HTTP 401: You must be authenticated to view this.")
                .message().doesNotContain("test-token");
        assertThat(api.requests()).hasSize(1);
        assertGet(api.requests().get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
    }

    @Test
    void aForbiddenStartInTheOlderErrorShapeFailsForGoodWithFlysMessage() {
        api.then(403, "{\"status\":\"error\",\"message\":\"token has no access to app velocity-previews\"}");

        assertThatThrownBy(() -> driver.start(MACHINE))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("Fly refused to start machine " + MACHINE + ": HTTP 403: token has no access to app velocity-previews");
        assertPost(api.requests().get(0), MACHINES + "/" + MACHINE + "/start", null);
    }

    @Test
    void destroyingAMachineThatIsAlreadyGoneSucceeds() {
        api.then(404, "{\"error\":\"machine not found\"}");

        driver.destroy(MACHINE);

        assertThat(api.requests()).hasSize(1);
        assertRequest(api.requests().get(0), "DELETE", MACHINES + "/" + MACHINE, Map.of("force", "true"));
    }

    @Test
    void aMachineIdOfAnotherShapeNeverReachesFly() {
        for (String hostile : List.of("../../../apps", "E784079B449483", "e784079b4494830", "e784079b44948", "e784079b44948\n")) {
            assertThatThrownBy(() -> driver.start(hostile))
                    .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                    .hasMessageStartingWith("not a Fly machine id (14 lower-case hex digits): '")
                    .hasMessageNotContaining("\n");
            assertThatThrownBy(() -> driver.stop(hostile)).isInstanceOf(MachineException.class);
        }
        driver.destroy("local-0a1b2c3d4e5f");

        assertThat(api.requests()).isEmpty();
    }

    @Test
    void aMachineFlyDescribesWithAnIdOfAnotherShapeIsNotTakenIntoTheSession() {
        api.then(200, "[]").then(200, machineJson("x;app=evil", "created", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z"));

        assertThatThrownBy(() -> driver.create(spec()))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("not a Fly machine id (14 lower-case hex digits): 'x;app=evil'");
    }

    @Test
    void startStopAndSuspendSendTheDocumentedRequests() {
        api.then(200, "{\"message\":\"\",\"status\":\"\",\"previous_state\":\"stopped\"}")
                .then(200, machineJson(MACHINE, "starting", session, "ams", "false", "2024-05-20T17:07:36Z"))
                .then(200, "{\"ok\":true}")
                .then(200, "{\"ok\":true}");

        Machine started = driver.start(MACHINE);
        driver.stop(MACHINE);
        driver.suspend(MACHINE);

        assertThat(started).isEqualTo(new Machine(MACHINE, session, MachineState.STARTING, null, "ams", Instant.parse("2024-05-20T17:07:36Z")));
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(4);
        assertPost(requests.get(0), MACHINES + "/" + MACHINE + "/start", null);
        assertGet(requests.get(1), MACHINES + "/" + MACHINE, Map.of());
        assertPost(requests.get(2), MACHINES + "/" + MACHINE + "/stop", "{\"signal\":\"SIGINT\",\"timeout\":\"10s\"}");
        assertPost(requests.get(3), MACHINES + "/" + MACHINE + "/suspend", null);
    }

    @Test
    void aWaitFlyRefusesEndsTheWaitForGoodWithFlysMessage() {
        api.then(400, "{\"error\":\"machine is in failed state, cannot wait for started\"}");
        Machine created = new Machine(MACHINE, session, MachineState.CREATED, null, "ams");

        assertThatThrownBy(() -> driver.awaitReady(created, Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("will not start: HTTP 400: machine is in failed state");
        assertGet(api.requests().get(0), MACHINES + "/" + MACHINE + "/wait", Map.of("state", "started", "timeout", "5"));
        assertThat(runtime.getRequestCount()).isZero();
    }

    @Test
    void listReadsMachinesWithUnknownFieldsAndEitherFormOfAutostopAndSkipsOthers() {
        UUID other = UUID.randomUUID();
        UUID third = UUID.randomUUID();
        api.then(200, "["
                + machineJson("148ed193b95e89", "started", session, "ams", "true", "2024-05-20T17:07:36Z") + ","
                + machineJson("3d8d9e1b2c4e78", "stopped", other, "fra", "\"suspend\"", "2024-05-20T17:08:00Z") + ","
                + machineJson("91852e0c1d5e83", "suspended", third, "ams", "false", "2024-05-20T17:09:00Z") + ","
                + machineJson("5683d5e0a9d4e8", "destroyed", UUID.randomUUID(), "ams", "\"off\"", "2024-05-20T17:10:00Z") + ","
                + "{\"id\":\"0e286064b18670\",\"state\":\"started\",\"region\":\"ams\",\"config\":{\"metadata\":{\"managed_by\":\"velocity-preview\"}}}"
                + "]");

        List<Machine> machines = driver.list();

        assertThat(machines).containsExactly(
                new Machine("148ed193b95e89", session, MachineState.STARTED, runtimeUrl(), "ams", Instant.parse("2024-05-20T17:07:36Z")),
                new Machine("3d8d9e1b2c4e78", other, MachineState.STOPPED, null, "fra", Instant.parse("2024-05-20T17:08:00Z")),
                new Machine("91852e0c1d5e83", third, MachineState.SUSPENDED, null, "ams", Instant.parse("2024-05-20T17:09:00Z")));
        assertGet(api.requests().get(0), MACHINES, Map.of("metadata.managed_by", "velocity-preview"));
    }

    @Test
    void findBySessionPicksTheNewestLiveMachineAtItsPrivateAddress() throws Exception {
        driver.close();
        driver = new FlyMachinesDriver(settings().withRuntime(FlyMachinesSettings.Runtime.DEFAULT));
        api.then(200, "["
                + machineJson("148ed193b95e89", "stopped", session, "ams", "\"stop\"", "2024-05-20T17:07:36Z") + ","
                + machineJson("3d8d9e1b2c4e78", "started", session, "fra", "\"stop\"", "2024-05-21T09:00:00Z") + ","
                + machineJson("5683d5e0a9d4e8", "destroying", session, "ams", "\"stop\"", "2024-05-22T09:00:00Z")
                + "]");

        Machine found = driver.findBySession(session).orElseThrow();

        assertThat(found).isEqualTo(new Machine("3d8d9e1b2c4e78", session, MachineState.STARTED,
                "http://3d8d9e1b2c4e78.vm.velocity-previews.internal:8080", "fra", Instant.parse("2024-05-21T09:00:00Z")));
        assertGet(api.requests().get(0), MACHINES, Map.of("metadata.session_id", session.toString()));
    }

    @Test
    void aProjectTooLargeForTheEnvironmentIsRefusedForGoodBeforeAnyCall() throws Exception {
        driver.close();
        driver = new FlyMachinesDriver(settings().withRuntime(settings().runtime().withMaxBundleBytes(64)));

        assertThatThrownBy(() -> driver.create(spec()))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("the project of session " + session + " is too large for a Fly preview")
                .hasMessageContaining("over the limit of 64 bytes");
        assertThat(api.requests()).isEmpty();
    }

    private FlyMachinesSettings settings() {
        return settings(fly, FlyMachinesSettings.Runtime.DEFAULT.withHealthUrlTemplate(runtimeUrl()));
    }

    /** The tests' driver settings: the stand-in API, two regions, short timeouts and backoffs, generous rate limits. */
    static FlyMachinesSettings settings(MockWebServer fly, FlyMachinesSettings.Runtime runtime) {
        return new FlyMachinesSettings(URI.create(fly.url("/").toString()), new Secret("test-token"), APP, IMAGE, List.of("ams", "fra"),
                null, null, runtime,
                new FlyMachinesSettings.Timeouts(Duration.ofSeconds(2), Duration.ofSeconds(5), Duration.ofSeconds(20),
                        Duration.ofSeconds(20), Duration.ofSeconds(5), Duration.ofSeconds(10), Duration.ofSeconds(1),
                        Duration.ofMillis(10)),
                new FlyMachinesSettings.RateLimits(1000, 100, 1000, 100),
                new FlyMachinesSettings.Retry(4, new Backoff(Duration.ofMillis(10), Duration.ofMillis(40)), 3, Duration.ofMillis(10)));
    }

    private String runtimeUrl() {
        return "http://" + runtime.getHostName() + ":" + runtime.getPort();
    }

    private MachineSpec spec() {
        return new MachineSpec(session, "user-1", project, new MachineSize("shared", 1, 256), "attempt-1",
                List.of(new ProjectFile("index.html", "<h1>hi</h1>", false), new ProjectFile("src", null, true)), Map.of());
    }

    /** The documented create body, with the runtime's bundle exactly as its BundleReader reads it. */
    private String createBody(String region) {
        return createBody(region, "{\"cpu_kind\": \"shared\", \"cpus\": 1, \"memory_mb\": 256}");
    }

    private String createBody(String region, String guest) {
        String bundle = """
                {"sessionId":"%s","projectId":"%s","files":[{"path":"index.html","content":"<h1>hi</h1>","directory":false},\
                {"path":"src","directory":true}]}""".formatted(session, project);
        return """
                {
                  "region": "%1$s",
                  "config": {
                    "image": "%2$s",
                    "env": {
                      "PREVIEW_SESSION_ID": "%3$s",
                      "PREVIEW_PROJECT_ID": "%4$s",
                      "PREVIEW_PORT": "8080",
                      "PREVIEW_BIND": "::",
                      "PREVIEW_WORK_DIR": "/srv/preview",
                      "PREVIEW_BUNDLE_B64": "%5$s"
                    },
                    "metadata": {
                      "session_id": "%3$s",
                      "project_id": "%4$s",
                      "user_id": "user-1",
                      "attempt_id": "attempt-1",
                      "managed_by": "velocity-preview"
                    },
                    "guest": %6$s,
                    "services": [{
                      "protocol": "tcp",
                      "internal_port": 8080,
                      "autostart": true,
                      "autostop": "stop",
                      "ports": [{"port": 80, "handlers": ["http"]}, {"port": 443, "handlers": ["tls", "http"]}]
                    }],
                    "restart": {"policy": "on-failure", "max_retries": 3}
                  }
                }""".formatted(region, IMAGE, session, project,
                Base64.getEncoder().encodeToString(bundle.getBytes(StandardCharsets.UTF_8)), guest);
    }

    /** A machine as Fly documents it, with fields this driver does not read. */
    static String machineJson(String id, String state, UUID session, String region, String autostop, String createdAt) {
        return """
                {
                  "id": "%1$s",
                  "name": "icy-sun-4521",
                  "state": "%2$s",
                  "region": "%4$s",
                  "instance_id": "01H3JK5T4ZD4Q0VYYV2FQ8ZS9N",
                  "private_ip": "fdaa:0:3ec2:a7b:8566:845e:9f47:2",
                  "config": {
                    "env": {"PREVIEW_PORT": "8080"},
                    "init": {"exec": null, "entrypoint": null, "cmd": null, "tty": false},
                    "image": "registry.fly.io/velocity-previews:test",
                    "metadata": {"session_id": "%3$s", "managed_by": "velocity-preview", "fly_platform_version": "v2"},
                    "restart": {"policy": "on-failure", "max_retries": 3},
                    "services": [{"protocol": "tcp", "internal_port": 8080, "autostart": true, "autostop": %5$s,
                                  "ports": [{"port": 443, "handlers": ["tls", "http"]}], "force_instance_key": null}],
                    "guest": {"cpu_kind": "shared", "cpus": 1, "memory_mb": 256}
                  },
                  "image_ref": {"registry": "registry.fly.io", "repository": "velocity-previews", "tag": "test",
                                "digest": "sha256:e15c11a07e1abbc50e252ac392a908140b199190ab08963b3b5dffc2e813d1e8", "labels": {}},
                  "created_at": "%6$s",
                  "updated_at": "%6$s",
                  "events": [{"type": "launch", "status": "created", "source": "user", "timestamp": 1716224856000}],
                  "checks": [],
                  "host_status": "ok",
                  "cordoned": false
                }""".formatted(id, state, session, region, autostop, createdAt);
    }

    static void assertGet(RecordedRequest request, String path, Map<String, String> query) {
        assertRequest(request, "GET", path, query);
    }

    /** @param json the expected body, or null for an empty one */
    static void assertPost(RecordedRequest request, String path, String json) {
        assertThat(request.getMethod()).isEqualTo("POST");
        assertThat(request.getUrl().encodedPath()).isEqualTo(path);
        assertThat(request.getUrl().querySize()).isZero();
        String body = request.getBody() == null ? "" : request.getBody().utf8();
        if (json == null) {
            assertThat(body).isEmpty();
        } else {
            assertThat(request.getHeaders().get("Content-Type")).startsWith("application/json");
            assertThat(JSON.readTree(body)).isEqualTo(JSON.readTree(json));
        }
    }

    static void assertRequest(RecordedRequest request, String method, String path, Map<String, String> query) {
        assertThat(request.getMethod()).isEqualTo(method);
        assertThat(request.getUrl().encodedPath()).isEqualTo(path);
        assertThat(request.getUrl().queryParameterNames()).isEqualTo(query.keySet());
        query.forEach((name, value) -> assertThat(request.getUrl().queryParameterValues(name)).containsExactly(value));
        assertThat(request.getBodySize()).isZero();
    }
}
