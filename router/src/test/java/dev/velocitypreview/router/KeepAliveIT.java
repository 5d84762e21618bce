package dev.velocitypreview.router;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client that keeps its connection to the router alive is answered on it every time, also right after a
 * proxied response. The machine here answers with a {@code Content-Length}, as the preview runtime does, so the
 * client has the whole proxied response as soon as its last byte arrives and sends its next request at once;
 * the router's connection to the machine is pooled and may live on another event loop than the client's.
 * Until the router finished each proxied exchange on the client's own event loop, Reactor Netty took that next
 * request for a pipelined one and, after answering it, stopped reading the connection (reactor-netty#4361):
 * the request after it waited for the client to give up (docs/reliability.md, finding 2).
 */
class KeepAliveIT {

    private static final int CONNECTIONS = 4;
    private static final int ROUNDS = 15;
    private static final Duration PATIENCE = Duration.ofSeconds(5);
    private static final byte[] PAGE = "<html><body>a preview page</body></html>".getBytes(StandardCharsets.UTF_8);

    private static HttpServer machine;
    private static SessionLog log;
    private static RunningRouter router;
    private static final UUID ACTIVE = UUID.randomUUID();
    private static final UUID TERMINATED = UUID.randomUUID();

    @BeforeAll
    static void start() throws IOException {
        // the preview runtime's server: the JDK's, answering with a Content-Length
        machine = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        machine.createContext("/", exchange -> {
            exchange.getResponseHeaders().set("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, PAGE.length);
            try (OutputStream body = exchange.getResponseBody()) {
                body.write(PAGE);
            }
        });
        machine.start();
        String bootstrap = TestKafka.shared().bootstrapServers();
        log = new SessionLog(bootstrap);
        router = RunningRouter.start(bootstrap, Map.of("velocity.router.kafka.application-id", "keep-alive-it")).awaitReady();
        log.active(ACTIVE, 3, "http://127.0.0.1:" + machine.getAddress().getPort());
        log.row(SessionLog.view(TERMINATED, SessionStatus.TERMINATED, 5, "user", null, null));
        await().until(() -> router.directory().lookup(ACTIVE).isPresent() && router.directory().lookup(TERMINATED).isPresent());
    }

    @AfterAll
    static void stop() {
        if (router != null) {
            router.close();
        }
        if (log != null) {
            log.close();
        }
        if (machine != null) {
            machine.stop(0);
        }
    }

    @Test
    void everyRequestOnAKeptAliveConnectionIsAnsweredAlsoRightAfterAProxiedResponse() {
        List<String> unanswered = new ArrayList<>();
        // one connection each; the router spreads connections over its event loops, the pooled connection to
        // the machine lives on one of them
        for (int connection = 1; connection <= CONNECTIONS; connection++) {
            HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            rounds:
            for (int round = 1; round <= ROUNDS; round++) {
                for (UUID id : List.of(ACTIVE, TERMINATED, TERMINATED)) {
                    int expected = id.equals(ACTIVE) ? 200 : 410;
                    String problem = ask(client, id, expected);
                    if (problem != null) {
                        unanswered.add("connection " + connection + ", round " + round + ": " + problem);
                        break rounds;
                    }
                }
            }
        }
        assertThat(unanswered).as("requests not answered as expected on a kept-alive connection").isEmpty();
    }

    /** Null when the router answered {@code expected} in time, otherwise what happened. */
    private static String ask(HttpClient client, UUID id, int expected) {
        URI uri = URI.create(router.baseUrl() + "/s/" + id + "/");
        try {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(uri).timeout(PATIENCE).build(),
                    HttpResponse.BodyHandlers.ofString());
            return answer.statusCode() == expected ? null : uri + " answered " + answer.statusCode() + " " + answer.body();
        } catch (IOException e) {
            return uri + " not answered within " + PATIENCE.toSeconds() + " s: " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
