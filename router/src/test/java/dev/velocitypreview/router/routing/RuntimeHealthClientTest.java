package dev.velocitypreview.router.routing;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import reactor.core.publisher.Mono;
import reactor.netty.DisposableServer;
import reactor.netty.http.server.HttpServer;

import dev.velocitypreview.core.session.SessionStatus;

import static dev.velocitypreview.router.routing.Views.view;
import static org.assertj.core.api.Assertions.assertThat;

class RuntimeHealthClientTest {

    /**
     * Far above what an answer takes: these tests are about what is read from an answer, and a first request of a cold
     * client on a loaded machine took more than 2 s (its event loop, its connection, its classes).
     */
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Duration BLOCK = TIMEOUT.multipliedBy(2);
    private final RuntimeHealthClient client = new RuntimeHealthClient(TIMEOUT);
    private DisposableServer machine;

    @AfterEach
    void stop() {
        if (machine != null) {
            machine.disposeNow();
        }
    }

    @Test
    void aStartingRuntimesChecksAreReadFromIts503() {
        machine = answering(503, """
                {"status":"starting","checks":[{"name":"files","status":"ok","millis":12},
                 {"name":"install","status":"running","detail":"npm ci <b>output</b>","millis":800},
                 {"name":"dev-server","status":"pending"},{"name":"other","status":"running"},
                 {"name":"sync","status":"<script>"}]}""");

        Map<String, String> checks = client.checks(startingOn("http://127.0.0.1:" + machine.port())).block(BLOCK);

        assertThat(checks).containsExactly(Map.entry("files", "ok"), Map.entry("install", "running"),
                Map.entry("dev-server", "pending"));
    }

    @Test
    void aMachineThatCannotBeAskedGivesNothing() {
        machine = answering(200, "not json");

        assertThat(client.checks(startingOn("http://127.0.0.1:" + machine.port())).blockOptional(BLOCK)).isEmpty();
        assertThat(client.checks(startingOn("http://127.0.0.1:1")).blockOptional(BLOCK)).isEmpty();
        assertThat(client.checks(startingOn(null)).blockOptional(BLOCK)).isEmpty();
    }

    private static DisposableServer answering(int status, String body) {
        return HttpServer.create().host("127.0.0.1").port(0)
                .route(routes -> routes.get("/health", (request, response) -> response.status(status)
                        .header("Content-Type", "application/json")
                        .sendByteArray(Mono.just(body.getBytes(StandardCharsets.UTF_8)))))
                .bindNow();
    }

    private static dev.velocitypreview.core.session.SessionView startingOn(String machineUrl) {
        return view(UUID.randomUUID(), SessionStatus.STARTING, 2, null, null, machineUrl);
    }
}
