package dev.velocitypreview.router;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.IntStream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A router that starts after sessions exist loads them all before it says it is ready. */
class RouterStartupIT {

    private static final int SESSIONS = 1_000;
    private static final int SAMPLE = 25;

    private static MachineServer machine;
    private static SessionLog log;

    @BeforeAll
    static void start() {
        machine = new MachineServer();
        log = new SessionLog(TestKafka.shared().bootstrapServers());
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(log, machine);
    }

    @Test
    void routerStartedAfterThousandSessionsIsNotReadyUntilItHoldsThemThenRoutesEveryOne() {
        List<UUID> ids = IntStream.range(0, SESSIONS).mapToObj(i -> UUID.randomUUID()).toList();
        ids.forEach(id -> log.rowAsync(SessionLog.view(id, SessionStatus.ACTIVE, 3, null, null, machine.url())));
        log.flush();

        try (RunningRouter router = RunningRouter.start(TestKafka.shared().bootstrapServers(),
                Map.of("velocity.router.kafka.application-id", "router-startup-it"))) {
            SessionDirectory directory = router.directory();
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20)).until(() -> {
                HttpStatusCode readiness = router.readiness();
                if (readiness.is2xxSuccessful()) {
                    // The moment it says ready, it must hold every session.
                    assertThat(ids).allSatisfy(id -> assertThat(directory.lookup(id)).isPresent());
                    return true;
                }
                assertThat(readiness).isEqualTo(HttpStatus.SERVICE_UNAVAILABLE);
                return false;
            });

            assertThat(ids).allSatisfy(id -> assertThat(directory.lookup(id))
                    .hasValueSatisfying(view -> assertThat(view.status()).isEqualTo(SessionStatus.ACTIVE)));
            for (UUID id : ids.subList(0, SAMPLE)) {
                Integer status = router.client.get().uri(router.baseUrl() + "/s/" + id + "/")
                        .exchangeToMono(r -> r.releaseBody().thenReturn(r.statusCode().value()))
                        .block(Duration.ofSeconds(10));
                assertThat(status).as("GET /s/%s/", id).isEqualTo(200);
            }
            assertThat(directory.find(view -> ids.contains(view.id())))
                    .extracting(SessionView::id).containsExactlyInAnyOrderElementsOf(ids);
            // the per-user index is built while the store loads, not only from updates after it
            assertThat(directory.findOf("router-it", view -> ids.contains(view.id())))
                    .extracting(SessionView::id).containsExactlyInAnyOrderElementsOf(ids);
            assertThat(directory.findOf("someone-else", view -> true)).isEmpty();
        }
    }
}
