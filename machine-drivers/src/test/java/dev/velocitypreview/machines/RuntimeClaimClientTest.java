package dev.velocitypreview.machines;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.retry.Backoff;

/** The claim client against a stand-in runtime answering with the claim endpoint's statuses. */
class RuntimeClaimClientTest {

    private static final String MACHINE = "local-0a1b2c3d4e5f";
    private static final String TOKEN = "claim-token-of-the-slot";

    private final UUID session = UUID.randomUUID();
    private final MachineClaim claim = new MachineClaim(session, UUID.randomUUID(),
            new SyncResponse(List.of(new SyncedFile("src/App.jsx", 3, "ab".repeat(32), "export default () => 1")),
                    List.of("src/unused.css")),
            URI.create("http://api.internal/machine/v1/sessions/" + session + "/sync"), "sync-token", null);
    private final MockWebServer runtime = new MockWebServer();
    private final RuntimeClaimClient client =
            new RuntimeClaimClient(Duration.ofSeconds(2), new Backoff(Duration.ofMillis(10), Duration.ofMillis(40)));

    @BeforeEach
    void start() throws Exception {
        runtime.start();
    }

    @AfterEach
    void stop() {
        runtime.close();
    }

    @Test
    void aClaimIsSentAgainWhileTheRuntimeIsNotWarmAndTakenOnceItAnswers200() throws Exception {
        runtime.enqueue(json(503, "{\"error\":\"not warm yet\"}"));
        runtime.enqueue(json(503, "{\"error\":\"another claim is being applied\"}"));
        runtime.enqueue(json(200, "{\"sessionId\":\"" + session + "\",\"written\":1,\"deleted\":1,\"outcome\":\"applied\"}"));

        RuntimeClaimClient.Claimed claimed = client.claim(MACHINE, baseUrl(), claim, TOKEN, Duration.ofSeconds(10));

        assertThat(claimed).isEqualTo(new RuntimeClaimClient.Claimed(session, 1, 1, "applied"));
        assertThat(runtime.getRequestCount()).isEqualTo(3);
        for (int i = 0; i < 3; i++) {
            RecordedRequest request = runtime.takeRequest(1, TimeUnit.SECONDS);
            assertThat(request.getMethod()).isEqualTo("POST");
            assertThat(request.getUrl().encodedPath()).isEqualTo("/__velocity/claim");
            assertThat(request.getHeaders().get("Authorization")).isEqualTo("Bearer " + TOKEN);
            assertThat(request.getHeaders().get("Content-Type")).isEqualTo("application/json");
            assertThat(request.getBody().toByteArray()).isEqualTo(EditCodec.encodeClaim(claim));
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 401, 404, 409, 422})
    void aRefusalIsPermanentAndSaysWhatTheRuntimeAnswered(int status) {
        runtime.enqueue(json(status, "  {\"error\":\"refused with " + status + "\"}\n"));

        assertThatThrownBy(() -> client.claim(MACHINE, baseUrl(), claim, TOKEN, Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("the runtime of machine " + MACHINE + " refused the claim of session " + session
                        + ": HTTP " + status + ": {\"error\":\"refused with " + status + "\"}");
        assertThat(runtime.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aServerErrorOtherThan503IsTransientAndNotSentAgain() {
        runtime.enqueue(json(500, "{\"error\":\"boom\"}"));

        assertThatThrownBy(() -> client.claim(MACHINE, baseUrl(), claim, TOKEN, Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageContaining("HTTP 500: {\"error\":\"boom\"}");
        assertThat(runtime.getRequestCount()).isEqualTo(1);
    }

    @Test
    void aRuntimeThatStaysUnwarmUntilTheTimeoutIsATransientFailure() {
        for (int i = 0; i < 200; i++) {
            runtime.enqueue(json(503, "{\"error\":\"not warm yet\"}"));
        }

        assertThatThrownBy(() -> client.claim(MACHINE, baseUrl(), claim, TOKEN, Duration.ofMillis(300)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessage("the runtime of machine " + MACHINE + " did not take the claim of session " + session
                        + " within PT0.3S (last answer: HTTP 503: {\"error\":\"not warm yet\"})");
        assertThat(runtime.getRequestCount()).isGreaterThan(1);
    }

    @Test
    void aRuntimeNobodyAnswersForIsTriedUntilTheTimeoutThenATransientFailure() {
        URI closed = baseUrl();
        runtime.close();

        assertThatThrownBy(() -> client.claim(MACHINE, closed, claim, TOKEN, Duration.ofMillis(200)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isTrue())
                .hasMessageStartingWith("the runtime of machine " + MACHINE + " did not take the claim of session "
                        + session + " within PT0.2S (last answer: java.net.ConnectException");
    }

    @Test
    void anAnswerForAnotherSessionIsPermanent() {
        UUID other = UUID.randomUUID();
        runtime.enqueue(json(200, "{\"sessionId\":\"" + other + "\",\"written\":0,\"deleted\":0,\"outcome\":\"applied\"}"));

        assertThatThrownBy(() -> client.claim(MACHINE, baseUrl(), claim, TOKEN, Duration.ofSeconds(10)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("the runtime of machine " + MACHINE + " answered the claim of session " + session
                        + " for session " + other);
    }

    private URI baseUrl() {
        return URI.create("http://" + runtime.getHostName() + ":" + runtime.getPort());
    }

    private static MockResponse json(int code, String body) {
        return new MockResponse.Builder().code(code).addHeader("Content-Type", "application/json").body(body).build();
    }
}
