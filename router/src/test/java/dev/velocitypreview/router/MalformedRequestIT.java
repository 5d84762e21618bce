package dev.velocitypreview.router;

import java.util.Map;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.RawHttp;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests Reactor Netty's decoder fails on, or whose target WebFlux cannot make a URI of, sent over a bare
 * socket: each is answered with a problem+json that says what was wrong, not an empty 400, and nothing of the
 * request comes back in a header.
 */
class MalformedRequestIT {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private static RunningRouter router;

    @BeforeAll
    static void start() {
        // no session is asked for: these requests are answered before the directory would be, ready or not
        router = RunningRouter.start(TestKafka.shared().bootstrapServers(),
                Map.of("velocity.router.kafka.application-id", "router-malformed-it"));
    }

    @AfterAll
    static void stop() {
        if (router != null) {
            router.close();
        }
    }

    record Malformed(String head, int status, String code, String detail) {
    }

    static Stream<Arguments> malformedRequests() {
        return Stream.of(
                malformed("raw { in the path", "GET /s/{id}/ HTTP/1.1\r\nHost: localhost", 400, "malformed_request",
                        "the request target is not a valid URI"),
                malformed("bare CR in the Host header", "GET /s/not-a-uuid/ HTTP/1.1\r\nHost: x\rInjected: yes", 400,
                        "malformed_request", "a header holds a control character such as a bare CR"),
                malformed("NUL in a header", "GET / HTTP/1.1\r\nHost: localhost\r\nX-Test: a\u0000b", 400,
                        "malformed_request", "not valid HTTP/1.1"),
                malformed("request line of 10000 bytes", "GET /s/" + "a".repeat(10_000) + "/ HTTP/1.1\r\nHost: localhost",
                        414, "request_line_too_long", "the request line is longer than this router reads"),
                malformed("headers of 20000 bytes", "GET / HTTP/1.1\r\nHost: localhost\r\nCookie: " + "c".repeat(20_000),
                        431, "request_headers_too_large", "the request headers are larger than this router reads"));
    }

    private static Arguments malformed(String name, String head, int status, String code, String detail) {
        return Arguments.of(Named.of(name, new Malformed(head, status, code, detail)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("malformedRequests")
    void isAnsweredWithAProblemThatSaysWhatWasWrong(Malformed malformed) {
        RawHttp.Answer answer = RawHttp.send(router.port, malformed.head());

        assertThat(answer.status()).as(answer.head()).isEqualTo(malformed.status());
        assertThat(answer.header("Content-Type")).isEqualTo("application/problem+json");
        assertThat(answer.header("Cache-Control")).isEqualTo("no-store");
        assertThat(answer.header("Connection")).isEqualTo("close");
        assertThat(answer.head().toLowerCase()).doesNotContain("injected");
        JsonNode problem = JSON.readTree(answer.body());
        assertThat(problem.get("code").stringValue()).isEqualTo(malformed.code());
        assertThat(problem.get("type").stringValue())
                .isEqualTo("urn:velocity-preview:problem:" + malformed.code().replace('_', '-'));
        assertThat(problem.get("title").stringValue()).isNotBlank();
        assertThat(problem.get("status").intValue()).isEqualTo(malformed.status());
        assertThat(problem.get("detail").stringValue()).contains(malformed.detail());
    }

    @Test
    void aWellFormedRequestStillReachesTheRouter() {
        RawHttp.Answer answer = RawHttp.send(router.port, "GET /s/not-a-uuid/ HTTP/1.1\r\nHost: localhost");

        assertThat(answer.status()).as(answer.head()).isEqualTo(400);
        assertThat(JSON.readTree(answer.body()).get("code").stringValue()).isEqualTo("malformed_session_id");
    }
}
