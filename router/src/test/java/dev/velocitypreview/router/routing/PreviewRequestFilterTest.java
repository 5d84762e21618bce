package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionStatus;

import static dev.velocitypreview.router.routing.Views.active;
import static dev.velocitypreview.router.routing.Views.view;
import static org.assertj.core.api.Assertions.assertThat;

class PreviewRequestFilterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BLOCK = Duration.ofSeconds(5);

    private final InMemorySessions sessions = new InMemorySessions();
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final RouterMetrics metrics = new RouterMetrics(new SimpleMeterRegistry(), sessions);
    private final PreviewRequestFilter filter = new PreviewRequestFilter(sessions,
            new SessionRouter(sessions, Duration.ofMillis(200), Duration.ofMillis(100), metrics),
            forwarder, metrics, "preview.localhost", Duration.ofSeconds(2));
    private final AtomicBoolean passedOn = new AtomicBoolean();
    private final WebFilterChain chain = exchange -> {
        passedOn.set(true);
        return exchange.getResponse().setComplete();
    };
    private final UUID id = UUID.randomUUID();

    @Test
    void activeSessionIsForwardedWithThePathAfterItsPrefixAndTheQuery() {
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        run(MockServerHttpRequest.get("/s/" + id + "/index.html?v=2").build());

        assertThat(forwarder.targets).singleElement().satisfies(target -> {
            assertThat(target.httpUri()).hasToString("http://127.0.0.1:4000/index.html?v=2");
            assertThat(target.prefix()).isEqualTo("/s/" + id);
        });
    }

    @Test
    void hostStyleRequestIsForwardedWithItsWholePath() {
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        run(MockServerHttpRequest.get("/s/x/y").header(HttpHeaders.HOST, id + ".preview.localhost:8081").build());

        assertThat(forwarder.targets).singleElement()
                .satisfies(target -> assertThat(target.httpUri()).hasToString("http://127.0.0.1:4000/s/x/y"));
    }

    @Test
    void malformedIdIsA400ProblemThatDoesNotEchoTheIdIntoHeaders() {
        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/not-a-session/").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_REQUEST);
        assertThat(exchange.getResponse().getHeaders().containsHeader(PreviewHeaders.SESSION_ID)).isFalse();
        JsonNode problem = body(exchange);
        assertThat(problem.get("status").asInt()).isEqualTo(400);
        assertThat(problem.get("detail").asString()).contains("'not-a-session'");
        assertThat(forwarder.targets).isEmpty();
    }

    @Test
    void pathWithoutTrailingSlashIsRedirectedKeepingTheQuery() {
        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "?a=1").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.PERMANENT_REDIRECT);
        assertThat(exchange.getResponse().getHeaders().getLocation()).hasToString("/s/" + id + "/?a=1");
        assertThat(exchange.getResponse().getHeaders().getFirst(PreviewHeaders.SESSION_ID)).isEqualTo(id.toString());
    }

    @Test
    void requestBeforeTheDirectoryIsReadyIsA503WithRetryAfter() {
        sessions.ready(false);

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(exchange.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("2");
        assertThat(body(exchange).get("title").asString()).isEqualTo("router is still loading sessions");
    }

    @Test
    void terminatedSessionIsA410ProblemWithItsReason() {
        sessions.put(view(id, SessionStatus.TERMINATED, 6, "idle", null, null));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.GONE);
        assertThat(exchange.getResponse().getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(exchange.getResponse().getHeaders().getFirst(PreviewHeaders.SESSION_ID)).isEqualTo(id.toString());
        JsonNode problem = body(exchange);
        assertThat(problem.get("title").asString()).isEqualTo("preview was terminated");
        assertThat(problem.get("detail").asString()).contains("idle");
        assertThat(problem.get("sessionId").asString()).isEqualTo(id.toString());
        assertThat(problem.get("sessionStatus").asString()).isEqualTo("TERMINATED");
        assertThat(problem.get("instance").asString()).isEqualTo("/s/" + id + "/");
        assertThat(problem.get("type").asString()).isNotBlank();
    }

    @Test
    void unreachableMachineIsA502NamingTheSession() {
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));
        forwarder.unreachable = true;

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(body(exchange).get("detail").asString()).contains(id.toString()).contains("Connection refused");
    }

    @Test
    void activeSessionWithoutMachineUrlIsA502NotACrash() {
        sessions.put(view(id, SessionStatus.ACTIVE, 3));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(forwarder.targets).isEmpty();
    }

    @Test
    void unknownSessionIsA404ProblemAfterTheGrace() {
        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
        assertThat(body(exchange).get("title").asString()).isEqualTo("no such session");
    }

    @Test
    void routerEndpointsPassThrough() {
        run(MockServerHttpRequest.get("/actuator/health").build());

        assertThat(passedOn).isTrue();
    }

    private MockServerWebExchange run(MockServerHttpRequest request) {
        MockServerWebExchange exchange = MockServerWebExchange.from(request);
        filter.filter(exchange, chain).block(BLOCK);
        return exchange;
    }

    private static JsonNode body(MockServerWebExchange exchange) {
        String text = exchange.getResponse().getBodyAsString().block(BLOCK);
        return JSON.readTree(text == null ? "" : text);
    }
}
