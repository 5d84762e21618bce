package dev.velocitypreview.bench.throughput;

import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.files.FileRules;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The simulated Fly API as a warm pool uses it: a pooled machine parked suspended, tagged with its session, started
 * again and claimed; and Fly's limits as Fly scopes them, per machine for the actions on one machine.
 */
class SimulatedFlyTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String APP = "test-app";
    private static final String TOKEN = "claim-token-1";

    private final HttpClient http = HttpClient.newHttpClient();
    private SimulatedFly fly;

    @AfterEach
    void stop() {
        if (fly != null) {
            fly.close();
        }
    }

    @Test
    void aSuspendedPooledMachineIsTaggedWithItsSessionStartedAgainAndClaimedOnce() throws Exception {
        fly = SimulatedFly.start(APP, Duration.ZERO, Duration.ZERO, Duration.ofMillis(200), SimulatedFly.Limits.FLY);
        String id = create("{\"region\":\"ams\",\"config\":{\"image\":\"i\",\"env\":{\"PREVIEW_POOL_TOKEN\":\"" + TOKEN
                + "\"},\"metadata\":{\"pool\":\"react-1\",\"managed_by\":\"velocity-preview\"}}}");
        assertThat(send("GET", "/" + id + "/wait?state=started&timeout=5", null).statusCode()).isEqualTo(200);
        assertThat(send("POST", "/" + id + "/suspend", null).statusCode()).isEqualTo(200);
        assertThat(send("GET", "/" + id + "/wait?state=suspended&timeout=5", null).statusCode()).isEqualTo(200);
        assertThat(fly.suspendedPooled()).isEqualTo(1);
        UUID session = UUID.randomUUID();
        String bySession = "?metadata.session_id=" + URLEncoder.encode(session.toString(), StandardCharsets.UTF_8);
        assertThat(JSON.readTree(send("GET", bySession, null).body())).isEmpty();

        assertThat(send("POST", "/" + id + "/metadata/session_id", "{\"value\":\"" + session + "\"}").statusCode())
                .isEqualTo(204);
        JsonNode found = JSON.readTree(send("GET", bySession, null).body());
        assertThat(found).hasSize(1);
        assertThat(found.get(0).path("state").asString()).isEqualTo("suspended");
        assertThat(found.get(0).path("config").path("metadata").path("pool").asString()).isEqualTo("react-1");
        assertThat(fly.suspendedPooled()).isZero();
        // suspended: its runtime does not answer yet
        assertThat(claim(TOKEN, session).statusCode()).isEqualTo(503);

        long starting = System.nanoTime();
        assertThat(JSON.readTree(send("POST", "/" + id + "/start", null).body()).path("previous_state").asString())
                .isEqualTo("suspended");
        assertThat(send("GET", "/" + id + "/wait?state=started&timeout=5", null).statusCode()).isEqualTo(200);
        assertThat(Duration.ofNanos(System.nanoTime() - starting)).isGreaterThanOrEqualTo(Duration.ofMillis(200));

        assertThat(claim("wrong", session).statusCode()).isEqualTo(401);
        HttpResponse<String> claimed = claim(TOKEN, session);
        assertThat(claimed.statusCode()).isEqualTo(200);
        JsonNode answer = JSON.readTree(claimed.body());
        assertThat(answer.path("sessionId").asString()).isEqualTo(session.toString());
        assertThat(answer.path("written").asInt()).isEqualTo(1);
        assertThat(answer.path("deleted").asInt()).isEqualTo(1);
        assertThat(answer.path("outcome").asString()).isEqualTo("applied");
        assertThat(claim(TOKEN, session).statusCode()).as("the same session again").isEqualTo(200);
        assertThat(claim(TOKEN, UUID.randomUUID()).statusCode()).as("another session").isEqualTo(409);
        assertThat(fly.claims()).isEqualTo(2);
    }

    @Test
    void startsAreLimitedPerMachineAndCreatesPerApp() throws Exception {
        fly = SimulatedFly.start(APP, Duration.ZERO, Duration.ZERO, Duration.ZERO, SimulatedFly.Limits.FLY);
        String machine = "{\"config\":{\"image\":\"i\"}}";
        List<String> ids = List.of(create(machine), create(machine), create(machine));
        // a burst of three creates is all the app's bucket holds
        assertThat(send("POST", "", machine).statusCode()).isEqualTo(429);

        for (String id : ids) {
            for (int start = 0; start < 3; start++) {
                assertThat(send("POST", "/" + id + "/start", null).statusCode()).isEqualTo(200);
            }
        }
        assertThat(send("POST", "/" + ids.get(0) + "/start", null).statusCode())
                .as("a fourth start of one machine at once").isEqualTo(429);
        assertThat(fly.throttled()).isEqualTo(2);
    }

    private String create(String body) throws IOException, InterruptedException {
        HttpResponse<String> created = send("POST", "", body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(200);
        return JSON.readTree(created.body()).path("id").asString();
    }

    private HttpResponse<String> claim(String token, UUID session) throws IOException, InterruptedException {
        String content = "export default function App() { return <h1>project</h1> }\n";
        MachineClaim claim = new MachineClaim(session, UUID.randomUUID(), new SyncResponse(List.of(
                new SyncedFile("src/App.jsx", 2, FileRules.sha256(content), content),
                new SyncedFile("index.html", 1, FileRules.sha256("same"), null)), List.of("src/App.css")),
                null, null, null);
        // every runtime answers on the simulation's one port: the token says whose
        return http.send(HttpRequest.newBuilder(URI.create(fly.baseUrl() + "/__velocity/claim"))
                        .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(EditCodec.encodeClaim(claim))).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> send(String method, String path, String body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(fly.baseUrl() + "/v1/apps/" + APP + "/machines" + path))
                .header("Authorization", "Bearer test").header("Content-Type", "application/json")
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
