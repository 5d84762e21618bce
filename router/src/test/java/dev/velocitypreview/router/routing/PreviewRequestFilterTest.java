package dev.velocitypreview.router.routing;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.MediaType;
import org.springframework.http.HttpMethod;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.session.SessionStatus;

import static dev.velocitypreview.router.routing.Views.active;
import static dev.velocitypreview.router.routing.Views.privately;
import static dev.velocitypreview.router.routing.Views.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PreviewRequestFilterTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BLOCK = Duration.ofSeconds(5);
    private static final String SECRET = "router-test-secret-router-test-secret";
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final PreviewToken TOKENS = new PreviewToken(SECRET);
    /** Waits the test ends by publishing a change; long, so a slow machine cannot end them first. */
    private static final Duration LONG = Duration.ofSeconds(30);

    private final InMemorySessions sessions = new InMemorySessions();
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RouterMetrics metrics = new RouterMetrics(registry, sessions);
    private final RecordingResumes resumes = new RecordingResumes();
    private final Wakes wakes = new Wakes(resumes, metrics, CLOCK);
    private final RecordingUse use = new RecordingUse();
    private final SessionRouter router = new SessionRouter(sessions, Duration.ofMillis(200), Duration.ofMillis(100), metrics,
            wakes);
    private final PreviewRequestFilter filter = new PreviewRequestFilter(sessions, router,
            new PreviewGate(new PreviewToken(SECRET), CLOCK), forwarder, use, metrics, "preview.localhost",
            Duration.ofSeconds(2), CLOCK);
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
        assertThat(use.events).containsExactly("began:" + id, "ended:" + id);
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
    void forwarderIsToldTheSessionsMachineId() {
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertThat(forwarder.targets).singleElement()
                .satisfies(target -> assertThat(target.machineId()).isEqualTo("machine-" + id));
    }

    @Test
    void bodyTheForwarderCannotCarryIsA413ProblemNamingTheLimit() {
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));
        forwarder.failure = new RequestBodyTooLargeException(id, 1_000_000);

        MockServerWebExchange exchange = run(MockServerHttpRequest.post("/s/" + id + "/upload").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.CONTENT_TOO_LARGE);
        assertThat(exchange.getResponse().getHeaders().getContentType()).hasToString("application/problem+json");
        JsonNode problem = body(exchange);
        assertThat(problem.get("status").asInt()).isEqualTo(413);
        assertThat(problem.get("code").asString()).isEqualTo("request_body_too_large");
        assertThat(problem.get("detail").asString()).contains(id.toString()).contains("1000000 bytes");
    }

    @Test
    void sessionTheForwarderCannotRouteIsA502ProblemSayingWhy() {
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));
        forwarder.failure = new UnroutableSessionException(id, "its machine id is not a Fly machine id");

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
        JsonNode problem = body(exchange);
        assertThat(problem.get("code").asString()).isEqualTo("session_unroutable");
        assertThat(problem.get("detail").asString()).contains(id.toString()).contains("not a Fly machine id");
        assertThat(problem.get("sessionStatus").asString()).isEqualTo("ACTIVE");
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

    @Test
    void publicSessionNeedsNoTokenAndItsMachineNeverSeesAPreviewToken() {
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/?preview_token=x&a=1")
                .header(HttpHeaders.COOKIE, "theme=dark; " + PreviewCookie.name(id) + "=x").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(forwarder.targets).singleElement().satisfies(target -> assertThat(target.rawQuery()).isEqualTo("a=1"));
        assertThat(forwarder.requestHeaders).singleElement()
                .satisfies(headers -> assertThat(headers.get(HttpHeaders.COOKIE)).containsExactly("theme=dark"));
    }

    @Test
    void privateSessionWithoutATokenIsA401ProblemSayingOneIsRequired() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertUnauthorized(exchange, "preview_token_required");
        assertThat(body(exchange).get("detail").asString()).contains("private").contains("preview token");
        assertThat(forwarder.targets).isEmpty();
    }

    @Test
    void privateSessionWithAValidQueryTokenRedirectsToTheSameUrlWithoutItSettingTheCookie() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String token = TOKENS.mint(id, NOW, Duration.ofMinutes(10));

        MockServerWebExchange exchange = run(MockServerHttpRequest.method(HttpMethod.GET,
                URI.create("/s/" + id + "/docs/page?a=1&preview_token=" + token + "&b=%20x")).build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SEE_OTHER);
        assertThat(exchange.getResponse().getHeaders().getLocation()).hasToString("/s/" + id + "/docs/page?a=1&b=%20x");
        assertThat(exchange.getResponse().getHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(setCookie(exchange))
                .startsWith(PreviewCookie.name(id) + "=" + token + "; Path=/s/" + id + "/; Max-Age=600; Expires=")
                .endsWith("; HttpOnly; SameSite=Lax")
                .doesNotContain("Secure").doesNotContain("Domain");
        assertThat(forwarder.targets).isEmpty();
        assertThat(decisions("token-exchanged")).isEqualTo(1);
    }

    @Test
    void tokenExchangedOverHttpsBehindAProxyGivesASecureHostOnlyCookieInHostStyle() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String token = TOKENS.mint(id, NOW, Duration.ofSeconds(90));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/app?preview_token=" + token)
                .header(HttpHeaders.HOST, id + ".preview.localhost")
                .header(PreviewHeaders.FORWARDED_PROTO, "https").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SEE_OTHER);
        assertThat(exchange.getResponse().getHeaders().getLocation()).hasToString("/app");
        assertThat(setCookie(exchange)).startsWith(PreviewCookie.name(id) + "=" + token + "; Path=/; Max-Age=90;")
                .contains("; Secure").contains("; HttpOnly").contains("; SameSite=Lax").doesNotContain("Domain");
    }

    @Test
    void redirectNeverPointsAtAnotherHost() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String token = TOKENS.mint(id, NOW, Duration.ofMinutes(1));

        MockServerWebExchange exchange = run(MockServerHttpRequest.method(HttpMethod.GET,
                        URI.create("http://" + id + ".preview.localhost//evil.example/x?preview_token=" + token))
                .header(HttpHeaders.HOST, id + ".preview.localhost").build());

        assertThat(exchange.getResponse().getHeaders().getLocation()).hasToString("/evil.example/x");
    }

    @Test
    void requestWithTheCookieIsForwardedWithoutTheCookieOrTheParameterAndItsResponseKeptPrivate() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String token = TOKENS.mint(id, NOW, Duration.ofMinutes(10));
        forwarder.responseHeaders.add(HttpHeaders.CACHE_CONTROL, "public, max-age=60");
        forwarder.responseHeaders.add(HttpHeaders.SET_COOKIE, "app=1; Path=/");
        forwarder.responseHeaders.add(HttpHeaders.SET_COOKIE, PreviewCookie.name(UUID.randomUUID()) + "=tossed; Path=/");

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/x?q=1")
                .header(HttpHeaders.COOKIE, "a=1; " + PreviewCookie.name(id) + "=" + token + "; b=2").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(forwarder.targets).singleElement().satisfies(target -> assertThat(target.rawQuery()).isEqualTo("q=1"));
        assertThat(forwarder.requestHeaders).singleElement()
                .satisfies(headers -> assertThat(headers.get(HttpHeaders.COOKIE)).containsExactly("a=1; b=2"));
        assertThat(exchange.getResponse().getHeaders().getCacheControl()).isEqualTo("private, max-age=60");
        assertThat(exchange.getResponse().getHeaders().get(HttpHeaders.SET_COOKIE)).containsExactly("app=1; Path=/");
    }

    @Test
    void expiredTokenIsA401SayingSoWithoutEchoingIt() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String expired = TOKENS.mint(id, NOW.minusSeconds(1));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/")
                .header(HttpHeaders.COOKIE, PreviewCookie.name(id) + "=" + expired).build());

        assertUnauthorized(exchange, "preview_token_expired");
        assertThat(exchange.getResponse().getBodyAsString().block(BLOCK)).doesNotContain(expired);
    }

    @Test
    void badTokensInTheQueryAreA401WithoutARedirectEvenWithAValidCookie() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String valid = TOKENS.mint(id, NOW, Duration.ofMinutes(10));
        String otherSession = TOKENS.mint(UUID.randomUUID(), NOW, Duration.ofMinutes(10));
        String forged = new PreviewToken("another-secret-another-secret-another").mint(id, NOW, Duration.ofMinutes(10));
        String malformed = "not-a-token";
        String expired = TOKENS.mint(id, NOW.minusSeconds(60));

        for (String bad : new String[] {otherSession, forged, malformed, expired}) {
            MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/?preview_token=" + bad)
                    .header(HttpHeaders.COOKIE, PreviewCookie.name(id) + "=" + valid).build());

            assertThat(exchange.getResponse().getStatusCode()).as(bad).isEqualTo(HttpStatus.UNAUTHORIZED);
            assertThat(exchange.getResponse().getHeaders().containsHeader(HttpHeaders.SET_COOKIE)).as(bad).isFalse();
            assertThat(exchange.getResponse().getBodyAsString().block(BLOCK)).as(bad).doesNotContain(bad);
        }
        assertThat(forwarder.targets).isEmpty();
        assertThat(decisions("unauthorized")).isEqualTo(4);
    }

    @Test
    void tokenForAnotherSessionIsA401SayingWhy() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String otherSession = TOKENS.mint(UUID.randomUUID(), NOW, Duration.ofMinutes(10));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/")
                .header(HttpHeaders.COOKIE, PreviewCookie.name(id) + "=" + otherSession).build());

        assertUnauthorized(exchange, "preview_token_invalid");
        assertThat(body(exchange).get("detail").asString()).contains("another session");
    }

    @Test
    void privateSessionOnItsWayIsRefusedAtOnceInsteadOfHeld() {
        sessions.put(privately(view(id, SessionStatus.REQUESTED, 0)));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/").build());

        assertUnauthorized(exchange, "preview_token_required");
        assertThat(sessions.waiting()).isZero();
    }

    @Test
    void webSocketUpgradeWithAValidQueryTokenIsForwardedWithoutTheToken() {
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        String token = TOKENS.mint(id, NOW, Duration.ofMinutes(10));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/ws?preview_token=" + token)
                .header(HttpHeaders.UPGRADE, "websocket").header(HttpHeaders.CONNECTION, "Upgrade").build());

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(forwarder.targets).singleElement().satisfies(target -> assertThat(target.rawQuery()).isNull());
    }

    @Test
    void privateSessionIsA503WhenTheRouterHasNoSecret() {
        PreviewRequestFilter unconfigured = new PreviewRequestFilter(sessions, router, new PreviewGate(null, CLOCK),
                forwarder, use, metrics, "preview.localhost", Duration.ofSeconds(2), CLOCK);
        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        UUID publicId = UUID.randomUUID();
        sessions.put(active(publicId, 3, "http://127.0.0.1:4000"));

        MockServerWebExchange refused = MockServerWebExchange.from(MockServerHttpRequest
                .get("/s/" + id + "/?preview_token=" + TOKENS.mint(id, NOW, Duration.ofMinutes(1))).build());
        unconfigured.filter(refused, chain).block(BLOCK);
        MockServerWebExchange served = MockServerWebExchange.from(MockServerHttpRequest.get("/s/" + publicId + "/").build());
        unconfigured.filter(served, chain).block(BLOCK);

        assertThat(refused.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(body(refused).get("title").asString()).isEqualTo("private previews are not configured");
        assertThat(body(refused).get("code").asString()).isEqualTo("private_previews_not_configured");
        assertThat(served.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(forwarder.targets).singleElement().satisfies(target -> assertThat(target.sessionId()).isEqualTo(publicId));
    }

    @Test
    void privateSessionThatAppearsDuringTheGraceIsCheckedOnceKnown() {
                PreviewRequestFilter patient = new PreviewRequestFilter(sessions,
                new SessionRouter(sessions, LONG, LONG, metrics, wakes), new PreviewGate(TOKENS, CLOCK), forwarder, use,
                metrics, "preview.localhost", Duration.ofSeconds(2), CLOCK);
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/s/" + id + "/").build());
        CompletableFuture<Void> pending = patient.filter(exchange, chain).toFuture();
        await().until(() -> sessions.waiting() == 1);

        sessions.put(privately(view(id, SessionStatus.PROVISIONING, 1)));

        pending.join();
        assertUnauthorized(exchange, "preview_token_required");
    }

    @Test
    void aRequestOnItsWayToAMachineThatIsSuspendedMeanwhileIsHeldWokenAndAnswered() {
        PreviewRequestFilter patient = patient();
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));
        forwarder.unanswered.set(1);
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/s/" + id + "/").build());
        CompletableFuture<Void> pending = patient.filter(exchange, chain).toFuture();
        await().until(() -> forwarder.targets.size() == 1);

        // the machine was frozen before this router learnt of it: its view moves on while the forward is open
        sessions.put(view(id, SessionStatus.SUSPENDED, 4, null, null, "http://127.0.0.1:4000"));
        await().until(() -> resumes.sent.size() == 1);
        assertThat(pending).isNotDone();
        sessions.put(active(id, 5, "http://127.0.0.1:4000"));

        pending.join();
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(forwarder.targets).hasSize(2);
        assertThat(resumes.sent).singleElement().satisfies(resume -> assertThat(resume.sessionId()).isEqualTo(id));
        assertThat(registry.get(RouterMetrics.FORWARD_DURATION).tag("outcome", RouterMetrics.DEPARTED).timer().count())
                .isEqualTo(1);
    }

    @Test
    void aRequestWithABodyOnItsWayToAMachineThatIsSuspendedMeanwhileIsAskedToBeSentAgain() {
        PreviewRequestFilter patient = patient();
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));
        forwarder.unanswered.set(1);
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.post("/s/" + id + "/api")
                .contentType(MediaType.APPLICATION_JSON).contentLength(12).body("{\"name\":\"x\"}"));
        CompletableFuture<Void> pending = patient.filter(exchange, chain).toFuture();
        await().until(() -> forwarder.targets.size() == 1);

        sessions.put(view(id, SessionStatus.SUSPENDED, 4, null, null, "http://127.0.0.1:4000"));

        pending.join();
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
        assertThat(exchange.getResponse().getHeaders().getFirst(HttpHeaders.RETRY_AFTER)).isEqualTo("1");
        assertThat(body(exchange).get("code").asString()).isEqualTo("session_left_machine");
        assertThat(body(exchange).get("sessionStatus").asString()).isEqualTo("SUSPENDED");
        assertThat(forwarder.targets).as("a body is never sent twice").hasSize(1);
    }

    @Test
    void aSessionEndedWhileItsRequestWasOnItsWayIsAnsweredAsEnded() {
        PreviewRequestFilter patient = patient();
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));
        forwarder.unanswered.set(1);
        MockServerWebExchange exchange = MockServerWebExchange.from(MockServerHttpRequest.get("/s/" + id + "/").build());
        CompletableFuture<Void> pending = patient.filter(exchange, chain).toFuture();
        await().until(() -> forwarder.targets.size() == 1);

        sessions.put(view(id, SessionStatus.TERMINATED, 4, "user", null, null));

        pending.join();
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.GONE);
        assertThat(forwarder.targets).hasSize(1);
    }

    private PreviewRequestFilter patient() {
        return new PreviewRequestFilter(sessions, new SessionRouter(sessions, LONG, LONG, metrics, wakes),
                new PreviewGate(TOKENS, CLOCK), forwarder, use, metrics, "preview.localhost", Duration.ofSeconds(2), CLOCK);
    }

    private void assertUnauthorized(MockServerWebExchange exchange, String code) {
        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(exchange.getResponse().getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(exchange.getResponse().getHeaders().containsHeader(HttpHeaders.SET_COOKIE)).isFalse();
        JsonNode problem = body(exchange);
        assertThat(problem.get("status").asInt()).isEqualTo(401);
        assertThat(problem.get("code").asString()).isEqualTo(code);
        assertThat(problem.get("type").asString()).isEqualTo("urn:velocity-preview:problem:" + code.replace('_', '-'));
        assertThat(problem.get("sessionId").asString()).isEqualTo(id.toString());
        assertThat(problem.hasNonNull("sessionStatus")).as("a private session's status is for token holders").isFalse();
    }

    private static String setCookie(MockServerWebExchange exchange) {
        return exchange.getResponse().getHeaders().getFirst(HttpHeaders.SET_COOKIE);
    }

    private double decisions(String outcome) {
        return registry.get(RouterMetrics.DECISIONS).tag("outcome", outcome).counter().count();
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
