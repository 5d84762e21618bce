package dev.velocitypreview.sessions;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import dev.velocitypreview.testkit.TestKafka;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import dev.velocitypreview.testkit.RawHttp;

/**
 * Requests refused before the API's own code runs, by Tomcat (a control character or a bare CR in a
 * header, {@code %00} or an encoded slash in the path), by Spring Security's firewall ({@code %2e%2e})
 * and in the error dispatch (a broken chunked body), sent over a bare socket: each is a 400
 * problem+json that says what was wrong, echoes nothing into a header, and publishes nothing.
 */
class HostileRequestsIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final String VALID = "{\"projectId\":\"" + UUID.randomUUID() + "\"}";

    private static RunningSessionService service;
    private static CommandTopic commands;
    private static int port;

    @BeforeAll
    static void start() {
        String bootstrap = TestKafka.shared().bootstrapServers();
        service = RunningSessionService.start(bootstrap, Map.of(
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET)).awaitReady();
        port = service.request("/").build().uri().getPort();
        commands = new CommandTopic(bootstrap);
    }

    @AfterAll
    static void stop() {
        if (commands != null) {
            commands.close();
        }
        if (service != null) {
            service.close();
        }
    }

    record Hostile(String head, byte[] body, String code, String detail) {
    }

    static Stream<Arguments> hostileRequests() {
        String auth = "Authorization: " + TestTokens.bearer(TestTokens.user("hostile-user"));
        String json = "Content-Type: application/json";
        return Stream.of(
                hostile("control character in Idempotency-Key", post(auth + "\r\nIdempotency-Key: a\u0001b\r\n" + json),
                        VALID, "invalid_header", "no control characters"),
                hostile("bare CR in Authorization", post("Authorization: Bearer x\rInjected: yes\r\n" + json), VALID,
                        "invalid_header", "a bare CR"),
                hostile("%00 in the path", get("/v1/sessions/" + UUID.randomUUID() + "%00", auth), "",
                        "invalid_path", "encoded NUL (%00)"),
                hostile("encoded slash in the path", get("/v1/sessions/..%2f..%2fadmin%2fsessions", auth), "",
                        "invalid_path", "encoded slash"),
                hostile("%2e%2e segment in the path", get("/v1/sessions/%2e%2e", auth), "",
                        "invalid_path", "the path holds '%2e'"),
                hostile("broken chunked body", "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\n" + auth + "\r\n" + json
                        + "\r\nTransfer-Encoding: chunked", "zz\r\nnope\r\n0\r\n\r\n", "unreadable_body",
                        "request body could not be read"));
    }

    private static String post(String headers) {
        return "POST /v1/sessions HTTP/1.1\r\nHost: localhost\r\n" + headers + "\r\nContent-Length: " + VALID.length();
    }

    private static String get(String path, String headers) {
        return "GET " + path + " HTTP/1.1\r\nHost: localhost\r\n" + headers;
    }

    private static Arguments hostile(String name, String head, String body, String code, String detail) {
        return Arguments.of(Named.of(name, new Hostile(head, body.getBytes(StandardCharsets.UTF_8), code, detail)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("hostileRequests")
    void isRefusedWithAProblemThatSaysWhyIsCountedOnceAndPublishesNothing(Hostile hostile) {
        Map<TopicPartition, Long> before = commands.endOffsets();
        double rejectedBefore = rejected(hostile.code());

        RawHttp.Answer answer = RawHttp.send(port, hostile.head(), hostile.body());

        assertThat(answer.status()).as(answer.head() + "\n" + answer.body()).isEqualTo(400);
        assertThat(answer.header("Content-Type")).startsWith("application/problem+json");
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.get("code").stringValue()).isEqualTo(hostile.code());
        assertThat(problem.get("type").stringValue())
                .isEqualTo("urn:velocity-preview:problem:" + hostile.code().replace('_', '-'));
        assertThat(problem.get("title").stringValue()).isEqualTo("Bad Request");
        assertThat(problem.get("status").intValue()).isEqualTo(400);
        assertThat(problem.get("detail").stringValue()).contains(hostile.detail());
        assertThat(answer.header("Cache-Control")).contains("no-store");
        assertThat(answer.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(answer.head().toLowerCase()).doesNotContain("injected");
        assertThat(rejected(hostile.code())).as("refusals counted").isEqualTo(rejectedBefore + 1);
        assertThat(commands.since(before)).as("commands published for a refused request").isEmpty();
    }

    /** The rejection counter for {@code code}, as the actuator shows it to an admin. */
    private static double rejected(String code) {
        HttpResponse<String> metric = service.send(service.request("/actuator/metrics/velocity.sessions.rejected?tag=reason:"
                + code).header("Authorization", TestTokens.bearer(TestTokens.admin("metrics-reader"))).GET());
        if (metric.statusCode() == 404) {
            return 0;
        }
        assertThat(metric.statusCode()).as(metric.body()).isEqualTo(200);
        return RunningSessionService.json(metric).get("measurements").get(0).get("value").doubleValue();
    }
}
