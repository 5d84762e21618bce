package dev.velocitypreview.sessions;

import static dev.velocitypreview.sessions.RunningSessionService.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.testkit.TestKafka;

/** When Kafka stops acknowledging, a create is refused with 503 in bounded time, never accepted. */
class BrokerUnavailableIT {

    private static final Duration SEND_TIMEOUT = Duration.ofSeconds(1);

    @Test
    void createIsUnavailableWithinTheSendTimeoutAndReadsStillAnswerFromTheView() {
        String user = "user-" + UUID.randomUUID();
        TestKafka kafka = TestKafka.startDedicated();
        try (RunningSessionService service = RunningSessionService.start(kafka.bootstrapServers(), Map.of(
                "velocity.session-service.send-timeout", SEND_TIMEOUT.toString(),
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET))) {
            service.awaitReady();
            // the producer's first send also fetches metadata and its producer id, which on a busy machine can take
            // longer than the send timeout: a 503 then accepted nothing, so asking again is what a client does
            HttpResponse<String> before = await().atMost(Duration.ofSeconds(30))
                    .until(() -> service.send(create(service, user)), answer -> answer.statusCode() == 202);
            String id = json(before).get("sessionId").stringValue();

            kafka.close();
            long started = System.nanoTime();
            HttpResponse<String> refused = service.send(create(service, user));
            Duration took = Duration.ofNanos(System.nanoTime() - started);

            assertThat(refused.statusCode()).as(refused.body()).isEqualTo(503);
            assertThat(refused.headers().firstValue("Content-Type")).hasValueSatisfying(
                    type -> assertThat(type).startsWith("application/problem+json"));
            assertThat(refused.headers().firstValue("Retry-After")).hasValue("1");
            assertThat(json(refused).get("code").stringValue()).isEqualTo("not_acknowledged");
            // the send timeout bounds it; the rest is one HTTP exchange, given room for a loaded machine
            assertThat(took).isLessThan(SEND_TIMEOUT.plusSeconds(4));

            HttpResponse<String> read = service.send(service.request("/v1/sessions/" + id)
                    .header("Authorization", TestTokens.bearer(TestTokens.user(user))).GET());
            assertThat(read.statusCode()).as(read.body()).isEqualTo(200);
            assertThat(json(read).get("status").stringValue()).isEqualTo("REQUESTED");
        } finally {
            kafka.close();
        }
    }

    private static java.net.http.HttpRequest.Builder create(RunningSessionService service, String user) {
        return service.request("/v1/sessions").header("Content-Type", "application/json")
                .header("Authorization", TestTokens.bearer(TestTokens.user(user)))
                .POST(BodyPublishers.ofString("{\"projectId\":\"" + UUID.randomUUID() + "\"}"));
    }
}
