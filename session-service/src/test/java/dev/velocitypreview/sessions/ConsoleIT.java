package dev.velocitypreview.sessions;

import static dev.velocitypreview.sessions.RunningSessionService.json;
import static dev.velocitypreview.sessions.TestTokens.bearer;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest.BodyPublishers;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import com.sun.net.httpserver.HttpServer;

import dev.velocitypreview.core.net.LoopbackPorts;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.testkit.HeadlessChromium;
import dev.velocitypreview.testkit.TestKafka;
import tools.jackson.databind.JsonNode;

/**
 * The operator console against a broker of its own, so its view holds only the sessions this test requests: who
 * may open it, the sign-in cookie, and a snapshot that counts the test's sessions and shows one metrics source that
 * answers (a stand-in for cleanup's {@code /actuator/prometheus}) and one that is down.
 */
class ConsoleIT {

    private static TestKafka kafka;
    private static HttpServer cleanupMetrics;
    private static RunningSessionService service;
    private static String deadSource;
    private static String liveSource;
    /** The sessions this test requested, the only ones its broker has. */
    private static final List<String> SESSIONS = new ArrayList<>();
    private static final String OWNER = "builder-" + UUID.randomUUID().toString().substring(0, 8);

    private final String admin = TestTokens.admin("operator-" + UUID.randomUUID());

    @BeforeAll
    static void start() throws IOException {
        kafka = TestKafka.startDedicated();
        cleanupMetrics = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        cleanupMetrics.createContext("/actuator/prometheus", exchange -> {
            byte[] body = """
                    # TYPE velocity_cleanup_actions_total counter
                    velocity_cleanup_actions_total{action="expire"} 4.0
                    velocity_cleanup_actions_total{action="purge"} 2.0
                    """.getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/plain; version=0.0.4");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        cleanupMetrics.start();
        liveSource = "http://127.0.0.1:" + cleanupMetrics.getAddress().getPort() + "/actuator/prometheus";
        // a free port nobody listens on: refused at once
        deadSource = "http://127.0.0.1:" + LoopbackPorts.free() + "/actuator/prometheus";
        service = RunningSessionService.start(kafka.bootstrapServers(), Map.of(
                "velocity.session-service.auth.hs256-secret", TestTokens.SECRET,
                "velocity.session-service.console.metrics-sources", liveSource + "," + deadSource,
                "velocity.session-service.console.scrape-timeout", "2s")).awaitReady();
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> created = service.send(service.request("/v1/sessions")
                    .header("Authorization", bearer(TestTokens.user(OWNER, Tier.TEAM)))
                    .header("Content-Type", "application/json")
                    .POST(BodyPublishers.ofString("{\"projectId\":\"" + UUID.randomUUID() + "\"}")));
            assertThat(created.statusCode()).isEqualTo(202);
            SESSIONS.add(json(created).get("sessionId").stringValue());
        }
    }

    @AfterAll
    static void stop() {
        if (service != null) {
            service.close();
        }
        if (cleanupMetrics != null) {
            cleanupMetrics.stop(0);
        }
        if (kafka != null) {
            kafka.close();
        }
    }

    private static HttpResponse<String> get(String path, String cookie) {
        var request = service.request(path).GET();
        if (cookie != null) {
            request.header("Cookie", cookie);
        }
        return service.send(request);
    }

    /** Signs in with {@code token} and answers the cookie the browser would send back. */
    private static String signIn(String token) {
        HttpResponse<String> signIn = get("/console/sign-in?token=" + token, null);
        assertThat(signIn.statusCode()).isEqualTo(303);
        String setCookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        return setCookie.substring(0, setCookie.indexOf(';'));
    }

    @Test
    void withoutSigningInThePageShowsASignInFormAndTheDataIsRefused() {
        HttpResponse<String> page = get("/console", null);
        assertThat(page.statusCode()).isEqualTo(401);
        assertThat(page.headers().firstValue("Content-Type").orElseThrow()).startsWith("text/html");
        assertThat(page.body()).contains("<form method=\"get\" action=\"/console/sign-in\"").contains("name=\"token\"");

        HttpResponse<String> data = get("/console/data", null);
        assertThat(data.statusCode()).isEqualTo(401);
        assertThat(data.headers().firstValue("Content-Type").orElseThrow()).startsWith("application/problem+json");
        assertThat(json(data).get("code").stringValue()).isEqualTo("console_sign_in_required");
    }

    @Test
    void aTokenWithoutTheAdminRoleCannotSignInNorReadTheData() {
        String user = TestTokens.user("not-an-operator");

        HttpResponse<String> signIn = get("/console/sign-in?token=" + user, null);
        assertThat(signIn.statusCode()).isEqualTo(403);
        assertThat(signIn.headers().allValues("Set-Cookie")).noneMatch(cookie -> cookie.contains(user));
        assertThat(signIn.body()).contains("does not carry the &#39;admin&#39; role");

        HttpResponse<String> data = get("/console/data", "velocity_console=" + user);
        assertThat(data.statusCode()).isEqualTo(403);
        assertThat(json(data).get("code").stringValue()).isEqualTo("forbidden");

        HttpResponse<String> header = service.send(service.request("/console/data").header("Authorization", bearer(user)));
        assertThat(header.statusCode()).isEqualTo(403);
    }

    @Test
    void aRefusedCookieIsAnsweredWithTheSignInPageAndCleared() {
        HttpResponse<String> page = get("/console", "velocity_console=not.a.jwt");

        assertThat(page.statusCode()).isEqualTo(401);
        assertThat(page.body()).contains("That token was refused");
        assertThat(page.headers().firstValue("Set-Cookie").orElseThrow()).startsWith("velocity_console=;")
                .contains("Max-Age=0");
    }

    @Test
    void signingInSetsAStrictHttpOnlyCookieForTheConsoleAndRedirectsToIt() {
        HttpResponse<String> signIn = get("/console/sign-in?token=" + admin, null);

        assertThat(signIn.statusCode()).isEqualTo(303);
        assertThat(signIn.headers().firstValue("Location")).hasValue("/console");
        assertThat(signIn.headers().firstValue("Referrer-Policy")).hasValue("no-referrer");
        String cookie = signIn.headers().firstValue("Set-Cookie").orElseThrow();
        assertThat(cookie).startsWith("velocity_console=" + admin + ";").contains("Path=/console", "HttpOnly",
                "SameSite=Strict").doesNotContain("Secure");

        HttpResponse<String> page = get("/console", cookie.substring(0, cookie.indexOf(';')));
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("<script src=\"/console/assets/console.js\"");
        assertThat(page.headers().firstValue("Content-Security-Policy").orElseThrow())
                .contains("default-src 'none'", "script-src 'self'", "connect-src 'self'");
        HttpResponse<String> script = get("/console/assets/console.js", null);
        assertThat(script.statusCode()).isEqualTo(200);
        assertThat(script.body()).contains("/console/data");
    }

    @Test
    void theDataCountsTheSessionsRequestedAndShowsEachMetricsSource() {
        String cookie = signIn(admin);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            HttpResponse<String> data = get("/console/data", cookie);
            assertThat(data.statusCode()).isEqualTo(200);
            JsonNode snapshot = json(data);
            assertThat(snapshot.get("viewReady").booleanValue()).isTrue();
            assertThat(snapshot.get("sessionsByStatus").get("REQUESTED").longValue()).isEqualTo(2);
            List<String> newest = new ArrayList<>();
            for (JsonNode row : snapshot.get("newestSessions")) {
                newest.add(row.get("id").stringValue());
                assertThat(row.get("owner").stringValue()).isEqualTo(OWNER);
                assertThat(row.get("status").stringValue()).isEqualTo("REQUESTED");
            }
            assertThat(newest).containsExactlyInAnyOrderElementsOf(SESSIONS);
            assertThat(snapshot.get("cleanupActions").get("expire").doubleValue()).isEqualTo(4.0);
            assertThat(snapshot.get("cleanupActions").get("purge").doubleValue()).isEqualTo(2.0);
            JsonNode sources = snapshot.get("sources");
            assertThat(sources.get(0).get("source").stringValue()).isEqualTo("this process");
            assertThat(sources.get(0).get("available").booleanValue()).isTrue();
            assertThat(sources.get(1).get("source").stringValue()).isEqualTo(liveSource);
            assertThat(sources.get(1).get("available").booleanValue()).isTrue();
            assertThat(sources.get(2).get("source").stringValue()).isEqualTo(deadSource);
            assertThat(sources.get(2).get("available").booleanValue()).isFalse();
            assertThat(sources.get(2).get("error").stringValue()).startsWith("not reachable");
        });
    }

    @Test
    void inABrowserTheSignInLinkOpensTheConsoleWhichShowsTheSessionsCountsAndRows() {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(service.request("/console/sign-in?token=" + admin).build().uri().toString());

            for (String id : SESSIONS) {
                assertThat(browser.awaitTextOf("tr[data-session-id='" + id + "']", "requested", Duration.ofSeconds(30)))
                        .contains(id, OWNER);
            }
            assertThat(browser.awaitTextOf("#status-REQUESTED", "2", Duration.ofSeconds(10))).contains("requested");
            assertThat(browser.driver().getCurrentUrl()).endsWith("/console");
            assertThat(browser.awaitTextOf("#cleanup-actions", "expire", Duration.ofSeconds(10))).contains("4", "purge");
            assertThat(browser.awaitTextOf("#sources", "unavailable", Duration.ofSeconds(10))).contains(deadSource);
        }
    }
}
