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

    private static final Duration BLOCK = Duration.ofSeconds(10);
    private final RuntimeHealthClient client = new RuntimeHealthClient(Duration.ofSeconds(2));
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
