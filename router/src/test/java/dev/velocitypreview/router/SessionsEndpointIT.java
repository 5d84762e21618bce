package dev.velocitypreview.router;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.apache.kafka.clients.producer.RecordMetadata;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import tools.jackson.databind.JsonNode;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** {@code GET /actuator/sessions/{id}}: what this router's own directory holds for a session, on a real broker. */
class SessionsEndpointIT {

    private static final Duration BLOCK = Duration.ofSeconds(20);
    private static final String MACHINE_URL = "http://127.0.0.1:1/secret-path";

    private static SessionLog log;
    private static RunningRouter router;

    @BeforeAll
    static void start() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        log = new SessionLog(bootstrap);
        router = RunningRouter.start(bootstrap, Map.of(
                "management.endpoints.web.exposure.include", "health,sessions",
                "velocity.router.kafka.application-id", "sessions-endpoint-it")).awaitReady();
    }

    @AfterAll
    static void stop() {
        if (router != null) {
            router.close();
        }
        if (log != null) {
            log.close();
        }
    }

    @Test
    void requestedSessionIsHeldAtVersionZeroWithoutAMachine() {
        UUID id = UUID.randomUUID();
        log.create(id);

        await().untilAsserted(() -> assertThat(get(router, id).status()).isEqualTo(HttpStatus.OK));
        JsonNode held = get(router, id).json();

        assertThat(held.get("sessionId").asString()).isEqualTo(id.toString());
        assertThat(held.get("status").asString()).isEqualTo("REQUESTED");
        assertThat(held.get("version").asLong()).isZero();
        assertThat(held.get("machineId").isNull()).isTrue();
    }

    @Test
    void activeSessionShowsItsVersionAndMachineButNotTheMachineUrlAndIgnoresAStaleRow() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, MACHINE_URL);
        RecordMetadata stale = log.row(id, SessionStatus.STARTING, 2);
        // a row behind the stale one in its partition: once the router holds it, it has seen the stale one too
        UUID marker = UUID.randomUUID();
        log.rowInPartition(SessionLog.view(marker, SessionStatus.REQUESTED, 0, null, null, null), stale.partition());
        await().untilAsserted(() -> assertThat(get(router, marker).status()).isEqualTo(HttpStatus.OK));

        RouterResponse response = get(router, id);

        assertThat(response.status()).isEqualTo(HttpStatus.OK);
        assertThat(response.json().get("status").asString()).isEqualTo("ACTIVE");
        assertThat(response.json().get("version").asLong()).isEqualTo(3);
        assertThat(response.json().get("machineId").asString()).isEqualTo("machine-" + id);
        assertThat(response.body()).doesNotContain("127.0.0.1").doesNotContain("secret-path");
    }

    @Test
    void terminatedSessionShowsTheNewestVersion() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, MACHINE_URL);
        log.row(SessionLog.view(id, SessionStatus.TERMINATED, 4, "user", null, null));

        await().untilAsserted(() -> {
            JsonNode held = get(router, id).json();
            assertThat(held.get("status").asString()).isEqualTo("TERMINATED");
            assertThat(held.get("version").asLong()).isEqualTo(4);
        });
    }

    @Test
    void sessionTheDirectoryDoesNotHoldIsANotFoundProblem() {
        UUID id = UUID.randomUUID();

        RouterResponse response = get(router, id);

        assertProblem(response, HttpStatus.NOT_FOUND, "session_not_found");
        assertThat(response.json().get("sessionId").asString()).isEqualTo(id.toString());
        assertThat(response.json().get("detail").asString()).contains(id.toString());
    }

    @Test
    void idThatIsNotAUuidIsABadRequestProblemQuotingIt() {
        for (String raw : new String[] {"not-a-uuid", "123e4567-e89b-12d3-a456-42661417400", "%7Bid%7D",
                "123e4567e89b12d3a456426614174000"}) {
            RouterResponse response = RouterResponse.exchange(router.client.get()
                    .uri(URI.create(router.baseUrl() + "/actuator/sessions/" + raw))).block(BLOCK);

            assertProblem(response, HttpStatus.BAD_REQUEST, "malformed_session_id");
            assertThat(response.json().get("detail").asString()).as(raw).contains("UUID");
        }
    }

    @Test
    void endpointIsNotExposedByDefault() {
        UUID id = UUID.randomUUID();
        log.create(id);
        try (RunningRouter defaults = RunningRouter.start(TestKafka.shared().bootstrapServers(),
                Map.of("velocity.router.kafka.application-id", "sessions-endpoint-default-it")).awaitReady()) {
            await().until(() -> defaults.directory().lookup(id).isPresent());

            RouterResponse response = get(defaults, id);

            assertThat(response.status()).isEqualTo(HttpStatus.NOT_FOUND);
            assertThat(response.body()).doesNotContain("REQUESTED");
        }
    }

    private static RouterResponse get(RunningRouter router, UUID id) {
        return RouterResponse.exchange(router.client.get().uri(URI.create(router.baseUrl() + "/actuator/sessions/" + id)))
                .block(BLOCK);
    }

    private static void assertProblem(RouterResponse response, HttpStatus status, String code) {
        assertThat(response.status()).isEqualTo(status);
        assertThat(response.headers().getContentType()).isEqualTo(MediaType.APPLICATION_PROBLEM_JSON);
        JsonNode problem = response.json();
        assertThat(problem.get("status").asInt()).isEqualTo(status.value());
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(problem.get("title").asString()).isNotBlank();
        assertThat(problem.get("detail").asString()).isNotBlank();
    }
}
