package dev.velocitypreview.router;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.http.HttpStatus;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Wake on request, on a real broker: the test plays the provisioner by writing the changelog. */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RouterWakeIT {

    private static final Duration BLOCK = Duration.ofSeconds(30);
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
        router = RunningRouter.start(bootstrap, Map.of(
                "velocity.router.max-hold", "20s",
                "velocity.router.kafka.application-id", "router-wake-it")).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(router, log, machine);
    }

    /** First: its figures are this router's whole count of wakes. */
    @Test
    @Order(1)
    void requestsForASuspendedSessionPublishOneResumeAndGetThePageOnceItIsActive() {
        UUID id = UUID.randomUUID();
        log.create(id);
        log.active(id, 3, machine.url());
        log.row(SessionLog.view(id, SessionStatus.SUSPENDED, 4, null, null, machine.url(), Visibility.PUBLIC));
        awaitStatus(id, SessionStatus.SUSPENDED);
        try (TopicRecords<SessionCommand> commands = new TopicRecords<>(bootstrap, Topics.SESSION_COMMANDS)) {
            CompletableFuture<RouterResponse> first = get(id).toFuture();
            CompletableFuture<RouterResponse> second = get(id).toFuture();
            await().atMost(BLOCK).until(() -> router.directory().waiting() == 2);

            List<SessionCommand> resumes = await().atMost(BLOCK).until(
                    () -> commands.read(id, command -> command instanceof SessionCommand.Resume, POLL),
                    read -> !read.isEmpty());
            assertThat(resumes).singleElement().satisfies(resume -> assertThat(resume.userId()).isEqualTo("router-it"));
            assertThat(first).isNotDone();
            log.active(id, 5, machine.url());

            assertThat(first.join().status()).isEqualTo(HttpStatus.OK);
            assertThat(second.join().status()).isEqualTo(HttpStatus.OK);
            assertThat(commands.read(id, command -> command instanceof SessionCommand.Resume, POLL)).hasSize(1);
        }

        String scraped = RouterResponse.exchange(router.client.get().uri("/actuator/prometheus")).block(BLOCK).body();
        assertThat(scraped).contains("velocity_router_wakes_total{outcome=\"published\"} 1.0")
                .contains("velocity_router_wake_duration_seconds_count 1")
                .contains("velocity_router_hold_duration_seconds_count{from=\"suspended\",outcome=\"route\"} 2");
    }

    /**
     * The provisioner freezes a machine before it writes SUSPENDED, so a router may forward a request to a machine
     * that does not answer: when the row arrives, the request is held again and wakes the session.
     */
    @Test
    @Order(2)
    void aRequestForwardedToAMachineFrozenByASuspendIsHeldAgainWokenAndAnswered() throws Exception {
        UUID id = UUID.randomUUID();
        try (ServerSocket frozen = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             TopicRecords<SessionCommand> commands = new TopicRecords<>(bootstrap, Topics.SESSION_COMMANDS)) {
            // like a stopped process: the kernel takes the connection and the request, nobody ever answers
            String frozenUrl = "http://127.0.0.1:" + frozen.getLocalPort();
            log.create(id);
            log.active(id, 3, frozenUrl);
            awaitStatus(id, SessionStatus.ACTIVE);
            CompletableFuture<RouterResponse> caught = get(id).toFuture();
            try (Socket forwarded = frozen.accept()) {
                log.row(SessionLog.view(id, SessionStatus.SUSPENDED, 4, null, null, frozenUrl, Visibility.PUBLIC));

                List<SessionCommand> resumes = await().atMost(BLOCK).until(
                        () -> commands.read(id, command -> command instanceof SessionCommand.Resume, POLL),
                        read -> !read.isEmpty());
                assertThat(resumes).hasSize(1);
                assertThat(caught).isNotDone();
                log.active(id, 5, machine.url());

                assertThat(caught.join().status()).isEqualTo(HttpStatus.OK);
            }
        }
    }

    /**
     * A departure cuts off only a forward whose answer has not begun: the machine is answering, so it is not
     * frozen, and cutting its answer off would leave the client a truncated body (or, with a Content-Length, a
     * client waiting for the rest). A request with a body, which goes through WebFlux's forward.
     */
    @Test
    @Order(3)
    void anAnswerUnderWayIsNotCutOffWhenTheSessionLeavesItsMachine() {
        UUID id = UUID.randomUUID();
        log.create(id);
        log.active(id, 3, machine.url());
        awaitStatus(id, SessionStatus.ACTIVE);
        machine.releaseSecond = new CompletableFuture<>();
        CompletableFuture<Void> release = machine.releaseSecond;
        List<String> received = new CopyOnWriteArrayList<>();
        CompletableFuture<List<String>> answer = router.client.post().uri("/s/" + id + "/drip").bodyValue("a body")
                .retrieve().bodyToFlux(String.class).doOnNext(received::add).collectList().toFuture();
        await().atMost(BLOCK).until(() -> received.contains("first"));

        log.row(SessionLog.view(id, SessionStatus.SUSPENDED, 4, null, null, machine.url(), Visibility.PUBLIC));
        awaitStatus(id, SessionStatus.SUSPENDED);
        // the answer stays open for the rest of it, however long the router takes to act on the departure
        await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5)).until(() -> !answer.isDone());
        release.complete(null);

        assertThat(answer).succeedsWithin(BLOCK).isEqualTo(List.of("first", "second"));
    }

    /** Until this router's directory holds the session in {@code status}. */
    private static void awaitStatus(UUID id, SessionStatus status) {
        await().until(() -> router.directory().lookup(id).map(view -> view.status() == status).orElse(false));
    }

    private static reactor.core.publisher.Mono<RouterResponse> get(UUID id) {
        return RouterResponse.exchange(router.client.get().uri("/s/" + id + "/"));
    }
}
