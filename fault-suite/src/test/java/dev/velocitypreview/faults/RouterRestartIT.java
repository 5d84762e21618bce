package dev.velocitypreview.faults;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 3: a router is SIGKILLed while it holds requests for sessions that are still starting;
 * the second router serves the same sessions meanwhile, and the killed one, restarted, serves them
 * too. Routers share nothing: each rebuilds its view from Kafka.
 */
class RouterRestartIT {

    private static final int SESSIONS = 4;
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private static FaultPlatform platform;

    @BeforeAll
    static void platform() {
        platform = FaultPlatform.shared();
        platform.ensureStandard();
    }

    @Test
    void secondRouterServesHeldRequestsWhileTheFirstIsKilledAndTheRestartedOneServesAgain() {
        long started = System.nanoTime();
        ServiceProcess r1 = platform.service("r1");
        List<UUID> sessions = new ArrayList<>();
        Map<UUID, String> projects = new LinkedHashMap<>();
        for (int i = 0; i < SESSIONS; i++) {
            SessionApi.Answer answer = platform.request("router-restart");
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            sessions.add(answer.sessionId());
            projects.put(answer.sessionId(), platform.ledger().get(answer.sessionId()).projectId().toString());
        }
        List<CompletableFuture<HttpResponse<String>>> onKilled = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> onSurvivor = new ArrayList<>();
        for (UUID id : sessions) {
            onKilled.add(get("r1", id));
            onSurvivor.add(get("r2", id));
        }
        // kill r1 while it holds at least one request (its session is not ACTIVE yet)
        assertThat(onKilled).as("r1 answered before it could be killed").anyMatch(f -> !f.isDone());
        r1.kill9();
        int cutOff = (int) onKilled.stream().filter(f -> f.handle((ok, error) -> error != null).join()).count();

        for (int i = 0; i < SESSIONS; i++) {
            HttpResponse<String> served = onSurvivor.get(i).join();
            assertThat(served.statusCode()).as("r2 served " + sessions.get(i) + ": " + served.body()).isEqualTo(200);
            assertThat(served.body()).contains(projects.get(sessions.get(i)));
        }

        long restartAt = System.nanoTime();
        r1.start().awaitReady();
        long restartMillis = Duration.ofNanos(System.nanoTime() - restartAt).toMillis();
        for (UUID id : sessions) {
            HttpResponse<String> served = get("r1", id).join();
            assertThat(served.statusCode()).as("restarted r1 served " + id).isEqualTo(200);
            assertThat(served.body()).contains(projects.get(id));
        }

        Audit.Report report = Audit.run(platform);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("sessions", SESSIONS);
        figures.put("held requests cut off by the kill", cutOff);
        figures.put("served by r2", SESSIONS);
        figures.put("r1 restart to ready ms", restartMillis);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("3 router kill -9 with held requests", figures);
        platform.terminateActiveSessions();
    }

    private static CompletableFuture<HttpResponse<String>> get(String router, UUID id) {
        URI uri = URI.create("http://127.0.0.1:" + platform.routerPorts.get(router) + "/s/" + id + "/");
        return HTTP.sendAsync(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(60)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
