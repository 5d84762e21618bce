package dev.velocitypreview.router.routing;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.WebFilterChain;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Mono;

import static dev.velocitypreview.router.routing.Views.active;
import static dev.velocitypreview.router.routing.Views.privately;
import static dev.velocitypreview.router.routing.Views.view;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class StartingPageTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final Duration BLOCK = Duration.ofSeconds(10);
    private static final Duration LONG = Duration.ofSeconds(30);
    private static final String SECRET = "router-test-secret-router-test-secret";
    private static final Instant NOW = Instant.parse("2026-11-24T10:00:00Z");
    private static final Clock CLOCK = Clock.fixed(NOW, ZoneOffset.UTC);
    private static final PreviewToken TOKENS = new PreviewToken(SECRET);
    private static final String BROWSER_ACCEPT = "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8";

    private final InMemorySessions sessions = new InMemorySessions();
    private final RecordingForwarder forwarder = new RecordingForwarder();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final RouterMetrics metrics = new RouterMetrics(registry, sessions);
    private final RecordingResumes resumes = new RecordingResumes();
    private final Wakes wakes = new Wakes(resumes, metrics, CLOCK);
    private final PreviewGate gate = new PreviewGate(TOKENS, CLOCK);
    /** What the machine of a starting session says of its checks; nothing by default, as an unreachable one. */
    private volatile Map<String, String> machineChecks;
    /** How often the machine was asked. */
    private final AtomicInteger asked = new AtomicInteger();
    private final MachineHealth health = session -> Mono.fromSupplier(() -> {
        Map<String, String> checks = machineChecks;
        asked.incrementAndGet();
        return checks;
    });
    private final StartingPage startingPage = new StartingPage(sessions, gate, wakes, health, metrics, LONG, CLOCK);
    private final PreviewRequestFilter filter = new PreviewRequestFilter(sessions,
            new SessionRouter(sessions, LONG, LONG, metrics, wakes), gate, forwarder, new RecordingUse(), metrics,
            "preview.localhost", Duration.ofSeconds(2), CLOCK, startingPage);
    private final WebFilterChain chain = exchange -> exchange.getResponse().setComplete();
    private final UUID id = UUID.randomUUID();

    @Test
    void aNavigationToASessionOnItsWayGetsTheStartingPageAtOnce() {
        sessions.put(view(id, SessionStatus.PROVISIONING, 1));

        MockServerWebExchange exchange = run(navigation("/s/" + id + "/"));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        HttpHeaders headers = exchange.getResponse().getHeaders();
        assertThat(headers.getContentType()).hasToString("text/html;charset=UTF-8");
        assertThat(headers.getCacheControl()).isEqualTo("no-store");
        assertThat(headers.containsHeader("X-Frame-Options")).as("the page lives in other sites' iframes").isFalse();
        String page = body(exchange);
        assertThat(page).contains("Starting your preview", "data-status=\"PROVISIONING\"",
                "data-status-url=\"/s/" + id + "/__velocity/status\"", "session " + id);
        assertThat(sessions.waiting()).as("nothing is held").isZero();
        assertThat(forwarder.targets).isEmpty();
    }

    @Test
    void thePagesScriptAndStyleRunUnderItsOwnNonceAndItLoadsNothingFromElsewhere() {
        sessions.put(view(id, SessionStatus.REQUESTED, 0));

        MockServerWebExchange first = run(navigation("/s/" + id + "/"));
        MockServerWebExchange second = run(navigation("/s/" + id + "/"));

        String policy = first.getResponse().getHeaders().getFirst("Content-Security-Policy");
        Matcher nonce = Pattern.compile("script-src 'nonce-([A-Za-z0-9+/=]+)'").matcher(String.valueOf(policy));
        assertThat(nonce.find()).as(policy).isTrue();
        assertThat(policy).startsWith("default-src 'none'").contains("style-src 'nonce-" + nonce.group(1) + "'")
                .contains("connect-src 'self'").doesNotContain("frame-ancestors");
        String page = body(first);
        assertThat(page).contains("<script nonce=\"" + nonce.group(1) + "\">", "<style nonce=\"" + nonce.group(1) + "\">")
                .doesNotContain("http://", "https://", "src=\"//");
        assertThat(second.getResponse().getHeaders().getFirst("Content-Security-Policy"))
                .as("a nonce per response").isNotEqualTo(policy);
    }

    @Test
    void aHostStylePageFollowsTheStatusOnItsOwnOrigin() {
        sessions.put(view(id, SessionStatus.STARTING, 2));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/some/page")
                .header(HttpHeaders.HOST, id + ".preview.localhost:8081").header(HttpHeaders.ACCEPT, BROWSER_ACCEPT).header("Sec-Fetch-Mode", "navigate"));

        assertThat(body(exchange)).contains("data-status-url=\"/__velocity/status\"");
    }

    @Test
    void requestsThatAreNotNavigationsAreHeldAsBefore() {
        sessions.put(view(id, SessionStatus.STARTING, 2));
        List<MockServerWebExchange> exchanges = List.of(
                exchange(MockServerHttpRequest.get("/s/" + id + "/").header(HttpHeaders.ACCEPT, BROWSER_ACCEPT)),
                exchange(MockServerHttpRequest.get("/s/" + id + "/api").header(HttpHeaders.ACCEPT, "text/html")
                        .header("Sec-Fetch-Mode", "cors")),
                exchange(MockServerHttpRequest.get("/s/" + id + "/app.js").header(HttpHeaders.ACCEPT, "*/*")
                        .header("Sec-Fetch-Mode", "navigate")),
                exchange(MockServerHttpRequest.get("/s/" + id + "/ws").header(HttpHeaders.ACCEPT, BROWSER_ACCEPT)
                        .header("Sec-Fetch-Mode", "websocket").header(HttpHeaders.UPGRADE, "websocket")),
                exchange(MockServerHttpRequest.post("/s/" + id + "/form").header(HttpHeaders.ACCEPT, BROWSER_ACCEPT)
                        .header("Sec-Fetch-Mode", "navigate")));
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        exchanges.forEach(exchange -> pending.add(filter.filter(exchange, chain).toFuture()));
        await().until(() -> sessions.waiting() == exchanges.size());
        assertThat(pending).noneMatch(CompletableFuture::isDone);

        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        pending.forEach(CompletableFuture::join);
        assertThat(exchanges).allSatisfy(exchange ->
                assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK));
        assertThat(forwarder.targets).hasSize(exchanges.size());
    }

    @Test
    void withThePageOffANavigationIsHeldLikeAnyOtherRequest() {
        PreviewRequestFilter withoutPage = new PreviewRequestFilter(sessions,
                new SessionRouter(sessions, LONG, LONG, metrics, wakes), gate, forwarder, new RecordingUse(), metrics,
                "preview.localhost", Duration.ofSeconds(2), CLOCK);
        sessions.put(view(id, SessionStatus.STARTING, 2));
        MockServerWebExchange exchange = exchange(navigation("/s/" + id + "/"));
        CompletableFuture<Void> pending = withoutPage.filter(exchange, chain).toFuture();
        await().until(() -> sessions.waiting() == 1);

        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        pending.join();
        assertThat(forwarder.targets).hasSize(1);
    }

    @Test
    void aNavigationToASuspendedSessionGetsThePageAndWakesIt() {
        sessions.put(view(id, SessionStatus.SUSPENDED, 4, null, null, "http://127.0.0.1:4000"));

        MockServerWebExchange exchange = run(navigation("/s/" + id + "/"));

        assertThat(body(exchange)).contains("data-status=\"SUSPENDED\"");
        assertThat(resumes.sent).singleElement().satisfies(resume -> assertThat(resume.sessionId()).isEqualTo(id));
    }

    @Test
    void theStatusStreamTellsEachChangeUntilTheSessionIsActive() {
        sessions.put(view(id, SessionStatus.REQUESTED, 0));
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("/s/" + id + "/__velocity/status")
                .header(HttpHeaders.ACCEPT, "text/event-stream"));
        CompletableFuture<Void> streaming = filter.filter(exchange, chain).toFuture();

        await().until(() -> sessions.waiting() == 1);
        sessions.put(view(id, SessionStatus.PROVISIONING, 1));
        await().until(() -> sessions.waiting() == 1);
        sessions.put(view(id, SessionStatus.STARTING, 2));
        await().until(() -> sessions.waiting() == 1);
        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        streaming.join();
        assertThat(exchange.getResponse().getHeaders().getContentType()).hasToString("text/event-stream;charset=UTF-8");
        assertThat(exchange.getResponse().getHeaders().getCacheControl()).isEqualTo("no-store");
        assertThat(events(exchange)).extracting(event -> event.get("status").asString())
                .containsExactly("REQUESTED", "PROVISIONING", "STARTING", "ACTIVE");
        assertThat(forwarder.targets).as("the status path is the router's").isEmpty();
    }

    @Test
    void whileItStartsTheStreamTellsWhatTheMachineSaysOfItsInstallAndDevServer() {
        sessions.put(view(id, SessionStatus.STARTING, 2, null, null, "http://127.0.0.1:4000"));
        machineChecks = new TreeMap<>(Map.of("files", "ok", "install", "running", "dev-server", "pending"));
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("/s/" + id + "/__velocity/status"));
        CompletableFuture<Void> streaming = filter.filter(exchange, chain).toFuture();
        await().until(() -> sessions.waiting() == 1);
        await().until(() -> asked.get() >= 2);
        // the checks are asked for every second: the stream tells each change once
        machineChecks = new TreeMap<>(Map.of("files", "ok", "install", "ok", "dev-server", "running"));
        int before = asked.get();
        // two asks later the first answer after the change has surely been told (they run one after the other)
        await().until(() -> asked.get() >= before + 2);

        sessions.put(active(id, 3, "http://127.0.0.1:4000"));

        streaming.join();
        List<JsonNode> events = events(exchange);
        assertThat(events).extracting(event -> event.get("status").asString() + " " + event.get("checks"))
                .containsExactly("STARTING null",
                        "STARTING {\"dev-server\":\"pending\",\"files\":\"ok\",\"install\":\"running\"}",
                        "STARTING {\"dev-server\":\"running\",\"files\":\"ok\",\"install\":\"ok\"}",
                        "ACTIVE null");
    }

    @Test
    void aFailedSessionsErrorReachesThePageEscaped() {
        String error = "npm install exited with 1: <img src=x onerror=alert(1)> \"quoted\"";
        sessions.put(view(id, SessionStatus.STARTING, 2));
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("/s/" + id + "/__velocity/status"));
        CompletableFuture<Void> streaming = filter.filter(exchange, chain).toFuture();
        await().until(() -> sessions.waiting() == 1);

        sessions.put(view(id, SessionStatus.FAILED, 3, null, error, null));

        streaming.join();
        assertThat(events(exchange)).last().satisfies(event -> {
            assertThat(event.get("status").asString()).isEqualTo("FAILED");
            assertThat(event.get("error").asString()).isEqualTo(error);
        });
        String page = startingPage.render(view(id, SessionStatus.FAILED, 3, null, error, null), "/__velocity/status", "n");
        assertThat(page).contains("data-error=\"npm install exited with 1: &lt;img src=x onerror=alert(1)&gt; &quot;quoted&quot;\"")
                .doesNotContain("<img");
    }

    @Test
    void aNavigationToAFailedOrEndedSessionGetsThePageSayingSoWithItsProblemsStatus() {
        String error = "npm install exited with 1: <script>alert(1)</script>";
        sessions.put(view(id, SessionStatus.FAILED, 3, null, error, null));
        MockServerWebExchange failed = run(navigation("/s/" + id + "/"));
        assertThat(failed.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(failed.getResponse().getHeaders().getContentType()).hasToString("text/html;charset=UTF-8");
        assertThat(body(failed)).contains("data-status=\"FAILED\"", "&lt;script&gt;alert(1)&lt;/script&gt;")
                .doesNotContain("<script>alert");

        UUID ended = UUID.randomUUID();
        sessions.put(view(ended, SessionStatus.TERMINATED, 5));
        MockServerWebExchange gone = run(navigation("/s/" + ended + "/"));
        assertThat(gone.getResponse().getStatusCode()).isEqualTo(HttpStatus.GONE);
        assertThat(body(gone)).contains("data-status=\"TERMINATED\"");

        // a script's request for the same session still gets the problem
        MockServerWebExchange fetched = run(MockServerHttpRequest.get("/s/" + id + "/").header("Accept", "*/*"));
        assertThat(fetched.getResponse().getStatusCode()).isEqualTo(HttpStatus.BAD_GATEWAY);
        assertThat(fetched.getResponse().getHeaders().getContentType()).hasToString("application/problem+json");
        assertThat(forwarder.targets).isEmpty();
    }

    @Test
    void aTerminatedSessionIsToldAsEndedWithItsReason() {
        sessions.put(view(id, SessionStatus.PROVISIONING, 1));
        MockServerWebExchange exchange = exchange(MockServerHttpRequest.get("/s/" + id + "/__velocity/status"));
        CompletableFuture<Void> streaming = filter.filter(exchange, chain).toFuture();
        await().until(() -> sessions.waiting() == 1);

        sessions.put(view(id, SessionStatus.TERMINATED, 2, "user", null, null));

        streaming.join();
        assertThat(events(exchange)).last().satisfies(event -> {
            assertThat(event.get("status").asString()).isEqualTo("TERMINATED");
            assertThat(event.get("reason").asString()).isEqualTo("user");
        });
    }

    @Test
    void thePrivateSessionsStatusNeedsItsToken() {
        sessions.put(privately(view(id, SessionStatus.STARTING, 2)));

        MockServerWebExchange refused = run(MockServerHttpRequest.get("/s/" + id + "/__velocity/status"));
        MockServerWebExchange forged = run(MockServerHttpRequest.get("/s/" + id + "/__velocity/status")
                .header(HttpHeaders.COOKIE, PreviewCookie.name(id) + "=" + TOKENS.mint(UUID.randomUUID(), NOW, LONG)));
        MockServerWebExchange pageRefused = run(navigation("/s/" + id + "/"));

        assertThat(refused.getResponse().getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(JSON.readTree(body(refused)).get("code").asString()).isEqualTo("preview_token_required");
        assertThat(forged.getResponse().getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(pageRefused.getResponse().getStatusCode()).isEqualTo(HttpStatus.UNAUTHORIZED);
        assertThat(body(pageRefused)).doesNotContain("Starting your preview");

        sessions.put(privately(active(id, 3, "http://127.0.0.1:4000")));
        MockServerWebExchange withCookie = run(MockServerHttpRequest.get("/s/" + id + "/__velocity/status")
                .header(HttpHeaders.COOKIE, PreviewCookie.name(id) + "=" + TOKENS.mint(id, NOW, LONG)));
        MockServerWebExchange withParameter = run(MockServerHttpRequest.get("/s/" + id + "/__velocity/status?preview_token="
                + TOKENS.mint(id, NOW, LONG)));

        assertThat(events(withCookie)).extracting(event -> event.get("status").asString()).containsExactly("ACTIVE");
        assertThat(withParameter.getResponse().getStatusCode()).as("an EventSource cannot follow a redirect")
                .isEqualTo(HttpStatus.OK);
        assertThat(events(withParameter)).extracting(event -> event.get("status").asString()).containsExactly("ACTIVE");
    }

    @Test
    void aPrivateSessionsNavigationWithItsCookieGetsThePage() {
        sessions.put(privately(view(id, SessionStatus.STARTING, 2)));

        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/")
                .header(HttpHeaders.ACCEPT, BROWSER_ACCEPT).header("Sec-Fetch-Mode", "navigate")
                .header(HttpHeaders.COOKIE, PreviewCookie.name(id) + "=" + TOKENS.mint(id, NOW, LONG)));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.OK);
        assertThat(body(exchange)).contains("Starting your preview");
    }

    @Test
    void theStatusOfAnUnknownSessionIsA404() {
        MockServerWebExchange exchange = run(MockServerHttpRequest.get("/s/" + id + "/__velocity/status"));

        assertThat(exchange.getResponse().getStatusCode()).isEqualTo(HttpStatus.NOT_FOUND);
    }

    private static MockServerHttpRequest.BaseBuilder<?> navigation(String path) {
        return MockServerHttpRequest.get(path).header(HttpHeaders.ACCEPT, BROWSER_ACCEPT).header("Sec-Fetch-Mode", "navigate")
                .header("Sec-Fetch-Dest", "iframe");
    }

    private static MockServerWebExchange exchange(MockServerHttpRequest.BaseBuilder<?> request) {
        return MockServerWebExchange.from(request.build());
    }

    private MockServerWebExchange run(MockServerHttpRequest.BaseBuilder<?> request) {
        MockServerWebExchange exchange = exchange(request);
        filter.filter(exchange, chain).block(BLOCK);
        return exchange;
    }

    private static String body(MockServerWebExchange exchange) {
        String text = exchange.getResponse().getBodyAsString().block(BLOCK);
        return text == null ? "" : text;
    }

    /** The {@code status} events of a finished stream, in order. */
    private static List<JsonNode> events(MockServerWebExchange exchange) {
        List<JsonNode> events = new ArrayList<>();
        for (String event : body(exchange).split("\n\n")) {
            if (event.contains("event:status")) {
                String data = event.lines().filter(line -> line.startsWith("data:")).findFirst().orElseThrow()
                        .substring("data:".length());
                events.add(JSON.readTree(data));
            }
        }
        return events;
    }
}
