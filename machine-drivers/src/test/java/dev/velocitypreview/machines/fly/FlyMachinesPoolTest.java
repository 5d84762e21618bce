package dev.velocitypreview.machines.fly;

import static dev.velocitypreview.machines.fly.FlyMachinesDriverTest.APP;
import static dev.velocitypreview.machines.fly.FlyMachinesDriverTest.IMAGE;
import static dev.velocitypreview.machines.fly.FlyMachinesDriverTest.MACHINES;
import static dev.velocitypreview.machines.fly.FlyMachinesDriverTest.assertGet;
import static dev.velocitypreview.machines.fly.FlyMachinesDriverTest.assertPost;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import dev.velocitypreview.core.access.SessionReplayState;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.PooledMachineSpec;
import dev.velocitypreview.machines.ProjectFile;

/**
 * Warm pools on Fly: the driver against a stand-in for the Machines API that keeps the app's machines (so a metadata
 * update is seen by the lookups that follow), and a stand-in runtime answering health and the claim as the contract
 * says.
 */
class FlyMachinesPoolTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final TypeReference<Map<String, String>> STRINGS = new TypeReference<>() {
    };
    private static final String SECRET = "replay-secret-replay-secret-replay-secret";
    private static final String TOKEN = "claim-token-of-this-slot";
    private static final UUID PROJECT = UUID.fromString("7b0e8b4c-4f3e-4c57-9a55-0c2a5f1d9e21");

    private final UUID slot = UUID.randomUUID();
    private final UUID session = UUID.randomUUID();
    private final MockWebServer fly = new MockWebServer();
    private final MockWebServer runtime = new MockWebServer();
    private final RecordingFly.Machines machines = new RecordingFly.Machines(MACHINES);
    private final RecordingFly api = new RecordingFly(machines);
    private final List<RecordedRequest> runtimeRequests = new ArrayList<>();
    /** What the stand-in runtime answers a claim with; 200 names the claim's session. */
    private final AtomicInteger claimStatus = new AtomicInteger(200);
    private FlyMachinesDriver driver;

    @BeforeEach
    void start() throws Exception {
        fly.setDispatcher(api);
        fly.start();
        runtime.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                synchronized (runtimeRequests) {
                    runtimeRequests.add(request);
                }
                if ("/health".equals(request.getUrl().encodedPath())) {
                    return RecordingFly.json(200, "{\"status\":\"ready\",\"checks\":[]}");
                }
                int status = claimStatus.get();
                if (status != 200) {
                    return RecordingFly.json(status, "{\"error\":\"this machine was claimed by another session\"}");
                }
                MachineClaim claim = EditCodec.decodeClaim(request.getBody().toByteArray());
                return RecordingFly.json(200, "{\"sessionId\":\"" + claim.sessionId()
                        + "\",\"written\":1,\"deleted\":0,\"outcome\":\"applied\"}");
            }
        });
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
    void aPooledMachineIsTaggedWithItsPoolAndSlotAndGetsTheClaimTokenAndTheTemplateButNoSession() {
        PooledMachine created = driver.createPooled(spec());

        assertThat(created.pool()).isEqualTo("react-abc123");
        assertThat(created.slot()).isEqualTo(slot);
        assertThat(created.state()).isEqualTo(MachineState.CREATED);
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(2);
        assertGet(requests.get(0), MACHINES, Map.of("metadata.pool_slot", slot.toString()));
        JsonNode config = JSON.readTree(requests.get(1).getBody().utf8()).path("config");
        assertThat(JSON.convertValue(config.path("metadata"), STRINGS)).isEqualTo(Map.of(
                "pool", "react-abc123", "pool_slot", slot.toString(), "managed_by", "velocity-preview"));
        Map<String, String> env = JSON.convertValue(config.path("env"), STRINGS);
        assertThat(env).containsEntry("PREVIEW_POOL_TOKEN", TOKEN)
                .containsEntry("PREVIEW_DOMAIN", "preview.example.com")
                .containsEntry("PREVIEW_PORT", "8080")
                .doesNotContainKeys("PREVIEW_SESSION_ID", "PREVIEW_PROJECT_ID", "PREVIEW_REPLAY_STATE");
        String bundle = new String(Base64.getDecoder().decode(env.get("PREVIEW_BUNDLE_B64")), StandardCharsets.UTF_8);
        assertThat(JSON.readTree(bundle)).isEqualTo(JSON.readTree(
                "{\"pool\":\"react-abc123\",\"files\":[{\"path\":\"index.html\",\"content\":\"<h1>template</h1>\",\"directory\":false}]}"));
        assertThat(config.path("guest").path("memory_mb").asInt()).isEqualTo(512);
    }

    @Test
    void creatingTheSameSlotAgainFindsItsMachineInsteadOfCreatingAnother() {
        PooledMachine first = driver.createPooled(spec());
        PooledMachine again = driver.createPooled(spec());

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(api.requests().stream().filter(request -> "POST".equals(request.getMethod()))).hasSize(1);
        assertThat(driver.listPooled()).extracting(PooledMachine::id).containsExactly(first.id());
    }

    @Test
    void aPooledMachineIsWarmOnceItsRuntimeIsHealthyAndIsThenSuspended() {
        PooledMachine created = driver.createPooled(spec());

        PooledMachine warm = driver.awaitWarm(created, Duration.ofSeconds(20));

        assertThat(warm).isEqualTo(new PooledMachine(created.id(), "react-abc123", slot, MachineState.SUSPENDED, null,
                "ams", created.createdAt()));
        List<RecordedRequest> requests = api.requests();
        assertThat(requests).hasSize(5);
        assertGet(requests.get(2), MACHINES + "/" + created.id() + "/wait", Map.of("state", "started", "timeout", "5"));
        assertPost(requests.get(3), MACHINES + "/" + created.id() + "/suspend", null);
        assertGet(requests.get(4), MACHINES + "/" + created.id() + "/wait", Map.of("state", "suspended", "timeout", "5"));
        assertThat(runtimeRequests).extracting(request -> request.getUrl().encodedPath()).containsExactly("/health");
        assertThat(machines.machine(created.id()).path("state").asString()).isEqualTo("suspended");
        assertThat(driver.listPooled()).containsExactly(warm);
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void aClaimTagsTheMachineWithTheSessionThenResumesItThenSendsTheClaimWithTheSessionsReplayState() throws Exception {
        PooledMachine warm = driver.awaitWarm(driver.createPooled(spec()), Duration.ofSeconds(20));
        int before = api.requests().size();

        Machine claimed = driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20));

        assertThat(claimed).isEqualTo(new Machine(warm.id(), session, MachineState.STARTED, runtimeUrl(), "ams", warm.createdAt()));
        List<RecordedRequest> requests = api.requests().subList(before, api.requests().size());
        assertThat(requests).hasSize(4);
        assertGet(requests.get(0), MACHINES + "/" + warm.id(), Map.of());
        assertPost(requests.get(1), MACHINES + "/" + warm.id() + "/metadata/session_id", "{\"value\":\"" + session + "\"}");
        assertPost(requests.get(2), MACHINES + "/" + warm.id() + "/start", null);
        assertGet(requests.get(3), MACHINES + "/" + warm.id() + "/wait", Map.of("state", "started", "timeout", "5"));
        RecordedRequest sent = runtimeRequests.get(runtimeRequests.size() - 1);
        assertThat(sent.getMethod()).isEqualTo("POST");
        assertThat(sent.getUrl().encodedPath()).isEqualTo("/__velocity/claim");
        assertThat(sent.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
        assertThat(sent.getBody().toByteArray())
                .isEqualTo(EditCodec.encodeClaim(claim().withReplayState(SessionReplayState.of(SECRET, session))));
        // from now on it is the session's machine, found by the session's own lookup, and pooled no more
        assertThat(driver.findBySession(session)).contains(claimed);
        assertThat(driver.list()).containsExactly(claimed);
        assertThat(driver.listPooled()).isEmpty();
    }

    /** Fly stopped the claimed machine (a crash, a host move): its image boots in pool mode, so it is claimed again. */
    @Test
    void aClaimSentAgainToAClaimedMachineFlyStoppedStartsItAndSendsTheClaimAgain() {
        PooledMachine warm = driver.awaitWarm(driver.createPooled(spec()), Duration.ofSeconds(20));
        driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20));
        machines.setState(warm.id(), "stopped");
        int before = api.requests().size();

        Machine again = driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20));

        assertThat(again.sessionId()).isEqualTo(session);
        assertThat(again.state()).isEqualTo(MachineState.STARTED);
        List<RecordedRequest> requests = api.requests().subList(before, api.requests().size());
        assertThat(requests).extracting(request -> request.getMethod() + " " + request.getUrl().encodedPath())
                .contains("POST " + MACHINES + "/" + warm.id() + "/start")
                .noneMatch(call -> call.contains("/metadata/"));
        assertThat(runtimeRequests.stream().filter(request -> "/__velocity/claim".equals(request.getUrl().encodedPath())))
                .hasSize(2);
    }

    @Test
    void aClaimSentAgainForTheSameSessionIsSentToTheRuntimeAgainWithoutTaggingAgain() {
        PooledMachine warm = driver.awaitWarm(driver.createPooled(spec()), Duration.ofSeconds(20));
        driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20));
        int before = api.requests().size();

        Machine again = driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20));

        assertThat(again.sessionId()).isEqualTo(session);
        assertThat(api.requests().subList(before, api.requests().size()))
                .noneMatch(request -> request.getUrl().encodedPath().contains("/metadata/"));
        assertThat(runtimeRequests.stream().filter(request -> "/__velocity/claim".equals(request.getUrl().encodedPath())))
                .hasSize(2);
    }

    @Test
    void aMachineClaimedByAnotherSessionIsRefusedForGoodAndLeftAsItIs() {
        PooledMachine warm = driver.awaitWarm(driver.createPooled(spec()), Duration.ofSeconds(20));
        driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20));
        UUID other = UUID.randomUUID();
        int before = api.requests().size();

        assertThatThrownBy(() -> driver.claim(warm.id(), claimFor(other), TOKEN, Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("machine " + warm.id() + " was claimed by another session: session " + other + " cannot claim it");
        assertThat(api.requests().subList(before, api.requests().size())).hasSize(1);
        assertThat(machines.machine(warm.id()).path("config").path("metadata").path("session_id").asString())
                .isEqualTo(session.toString());
    }

    @Test
    void aClaimTheRuntimeAnswersWith409IsAPermanentFailureCarryingItsAnswer() {
        PooledMachine warm = driver.awaitWarm(driver.createPooled(spec()), Duration.ofSeconds(20));
        claimStatus.set(409);

        assertThatThrownBy(() -> driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("the runtime of machine " + warm.id() + " refused the claim of session " + session
                        + ": HTTP 409: {\"error\":\"this machine was claimed by another session\"}");
    }

    @Test
    void claimingAMachineThatIsGoneOrNotPooledIsAPermanentFailure() {
        PooledMachine warm = driver.awaitWarm(driver.createPooled(spec()), Duration.ofSeconds(20));
        driver.destroy(warm.id());

        assertThatThrownBy(() -> driver.claim(warm.id(), claim(), TOKEN, Duration.ofSeconds(20)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("pooled machine " + warm.id() + " is gone: session " + session + " cannot claim it");
        assertThat(driver.listPooled()).isEmpty();
    }

    private PooledMachineSpec spec() {
        return new PooledMachineSpec("react-abc123", slot, new MachineSize("shared", 1, 512), TOKEN,
                List.of(new ProjectFile("index.html", "<h1>template</h1>", false)), Map.of("PREVIEW_DOMAIN", "preview.example.com"));
    }

    private MachineClaim claim() {
        return claimFor(session);
    }

    private static MachineClaim claimFor(UUID session) {
        return new MachineClaim(session, PROJECT,
                new SyncResponse(List.of(new SyncedFile("index.html", 2, "cd".repeat(32), "<h1>project</h1>")), List.of()),
                URI.create("http://api.internal:8080/machine/v1/sessions/" + session + "/sync"), "sync-token", null);
    }

    private FlyMachinesSettings settings() {
        return FlyMachinesDriverTest.settings(fly,
                FlyMachinesSettings.Runtime.DEFAULT.withHealthUrlTemplate(runtimeUrl()).withReplaySecret(new Secret(SECRET)));
    }

    private String runtimeUrl() {
        return "http://" + runtime.getHostName() + ":" + runtime.getPort();
    }
}
