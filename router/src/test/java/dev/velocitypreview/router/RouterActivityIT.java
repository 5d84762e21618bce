package dev.velocitypreview.router;

import java.net.URI;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.web.reactive.socket.WebSocketMessage;
import org.springframework.web.reactive.socket.client.ReactorNettyWebSocketClient;
import reactor.core.publisher.Mono;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Activity on a real broker: proxied requests and open WebSockets make the router publish, throttled per session. */
class RouterActivityIT {

    private static final Duration INTERVAL = Duration.ofMillis(300);
    private static final Duration BLOCK = Duration.ofSeconds(20);
    private static final Duration POLL = Duration.ofMillis(100);

    private static String bootstrap;
    private static MachineServer machine;
    private static SessionLog log;
    private static RunningRouter router;

    @BeforeAll
    static void start() {
        bootstrap = TestKafka.shared().bootstrapServers();
        machine = new MachineServer();
        log = new SessionLog(bootstrap);
        SessionLog.createActivityTopic(bootstrap);
        router = RunningRouter.start(bootstrap, Map.of(
                "velocity.router.activity.interval", INTERVAL.toMillis() + "ms",
                "velocity.router.kafka.application-id", "router-activity-it")).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(router, log, machine);
    }

    @Test
    void proxiedRequestsPublishActivityAtMostOncePerInterval() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        try (TopicRecords<SessionActivity> activity = new TopicRecords<>(bootstrap, Topics.SESSION_ACTIVITY)) {
            Instant before = Instant.now();
            long started = System.nanoTime();
            for (int i = 0; i < 20; i++) {
                assertThat(get(id).status()).isEqualTo(HttpStatus.OK);
            }
            long burstMillis = Duration.ofNanos(System.nanoTime() - started).toMillis();

            List<SessionActivity> seen = await().atMost(BLOCK)
                    .until(() -> activity.read(id, record -> true, POLL), records -> !records.isEmpty());
            // a forward is stamped when it ends, which may be just after its client has the response: the bound
            // is the moment the records were read, not the moment the last response arrived
            Instant read = Instant.now();
            assertThat(seen).allSatisfy(record -> assertThat(record.seenAt()).isBetween(before, read));
            // no request since: no more records, and never more than one per interval of the burst
            long most = burstMillis / INTERVAL.toMillis() + 2;
            await().during(INTERVAL.multipliedBy(4)).atMost(BLOCK)
                    .until(() -> activity.read(id, record -> true, POLL).size() <= most);
            assertThat(activity.read(id, record -> true, POLL)).hasSizeLessThan(20);
        }
    }

    @Test
    void anOpenWebSocketKeepsItsSessionInUseUntilItCloses() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        try (TopicRecords<SessionActivity> activity = new TopicRecords<>(bootstrap, Topics.SESSION_ACTIVITY)) {
            CompletableFuture<Void> release = new CompletableFuture<>();
            CompletableFuture<Void> socket = new ReactorNettyWebSocketClient().execute(
                    URI.create("ws://127.0.0.1:" + router.port + "/s/" + id + "/ws"),
                    // receives until released: a client that stops receiving closes its socket
                    session -> session.send(Mono.just(session.textMessage("hmr")))
                            .thenMany(session.receive().map(WebSocketMessage::getPayloadAsText)
                                    .takeUntilOther(Mono.fromFuture(release)))
                            .then(session.close()))
                    .toFuture();

            // one upgrade and nothing else on the socket: records keep coming, one per interval
            await().atMost(BLOCK).until(() -> activity.read(id, record -> true, POLL).size() >= 4);
            assertThat(socket).isNotDone();
            release.complete(null);
            socket.join();

            int atClose = activity.read(id, record -> true, POLL).size();
            await().during(INTERVAL.multipliedBy(4)).atMost(BLOCK)
                    .until(() -> activity.read(id, record -> true, POLL).size() <= atClose + 2);
        }
    }

    private static RouterResponse get(UUID id) {
        return RouterResponse.exchange(router.client.get().uri("/s/" + id + "/")).block(BLOCK);
    }
}
