package dev.velocitypreview.router;

import java.time.Duration;
import java.util.Map;
import java.util.UUID;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.http.HttpStatus;

import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.testkit.TestKafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A router whose broker has no activity topic (cleanup not deployed), on a broker of its own that would create a
 * topic on first use: requests get their pages, activity is dropped and counted, and the topic is never created.
 */
class RouterActivityWithoutCleanupIT {

    private static final Duration BLOCK = Duration.ofSeconds(20);

    private static TestKafka kafka;
    private static MachineServer machine;
    private static SessionLog log;
    private static RunningRouter router;

    @BeforeAll
    static void start() {
        kafka = TestKafka.startDedicated();
        machine = new MachineServer();
        log = new SessionLog(kafka.bootstrapServers());
        router = RunningRouter.start(kafka.bootstrapServers(), Map.of(
                "velocity.router.activity.interval", "200ms",
                "velocity.router.kafka.application-id", "router-without-cleanup-it")).awaitReady();
    }

    @AfterAll
    static void stop() throws Exception {
        Closing.all(router, log, machine, kafka);
    }

    @Test
    void requestsAreServedAndActivityIsDroppedWithoutCreatingTheTopic() {
        UUID id = UUID.randomUUID();
        log.active(id, 3, machine.url());
        Counter dropped = router.context.getBean(MeterRegistry.class).get("velocity.router.activity.records")
                .tag("outcome", "topic_missing").counter();

        for (int i = 0; i < 3; i++) {
            RouterResponse response = RouterResponse.exchange(router.client.get().uri("/s/" + id + "/")).block(BLOCK);
            assertThat(response.status()).isEqualTo(HttpStatus.OK);
            double before = dropped.count();
            await().atMost(BLOCK).until(() -> dropped.count() > before);
        }

        assertThat(SessionLog.topics(kafka.bootstrapServers())).doesNotContain(Topics.SESSION_ACTIVITY.name());
    }
}
