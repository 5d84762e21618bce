package dev.velocitypreview.router.publish;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.testkit.TestClock;

import static org.assertj.core.api.Assertions.assertThat;

class SessionsInUseTest {

    private final TestClock clock = TestClock.stoppedAt(Instant.parse("2026-12-01T10:00:00Z"));
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final Counter overflow = ActivityPublisher.records(registry, "overflow");
    private final SessionsInUse inUse = new SessionsInUse(clock, overflow, 2);
    private final UUID id = UUID.randomUUID();

    @Test
    void manyRequestsOfASessionInOneIntervalAreOneRecordWithTheLastSighting() {
        for (int i = 0; i < 10; i++) {
            inUse.began(id);
            clock.advance(Duration.ofMillis(100));
            inUse.ended(id);
        }

        assertThat(inUse.drain()).containsExactly(new SessionActivity(id, Instant.parse("2026-12-01T10:00:01Z")));
        assertThat(inUse.drain()).isEmpty();
    }

    @Test
    void anOpenWebSocketIsSeenInEveryIntervalUntilItCloses() {
        inUse.began(id);
        for (int interval = 0; interval < 3; interval++) {
            clock.advance(Duration.ofSeconds(5));
            assertThat(inUse.drain()).containsExactly(new SessionActivity(id, clock.instant()));
        }
        clock.advance(Duration.ofSeconds(1));
        inUse.ended(id);
        Instant closed = clock.instant();
        clock.advance(Duration.ofSeconds(4));

        assertThat(inUse.drain()).containsExactly(new SessionActivity(id, closed));
        assertThat(inUse.drain()).isEmpty();
        assertThat(inUse.open()).isZero();
    }

    @Test
    void forwardsOfOneSessionBegunAndEndedOnManyThreadsAtOnceLeaveItOpenExactlyWhileOneIs() throws Exception {
        SessionsInUse roomy = new SessionsInUse(clock, overflow);
        ExecutorService threads = Executors.newFixedThreadPool(4);
        CountDownLatch start = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        try {
            // one WebSocket stays open throughout; the other threads' requests come and go around it
            roomy.began(id);
            for (int t = 0; t < 4; t++) {
                done.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < 20_000; i++) {
                        roomy.began(id);
                        roomy.ended(id);
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> thread : done) {
                thread.get();
            }
        } finally {
            threads.shutdownNow();
        }

        assertThat(roomy.open()).as("the WebSocket still open").isEqualTo(1);
        roomy.drain();
        assertThat(roomy.drain()).extracting(SessionActivity::sessionId).containsExactly(id);
        roomy.ended(id);
        roomy.drain();
        assertThat(roomy.open()).isZero();
        assertThat(roomy.drain()).isEmpty();
        assertThat(overflow.count()).isZero();
    }

    @Test
    void twoForwardsOpenKeepTheSessionInUseUntilBothEnded() {
        inUse.began(id);
        inUse.began(id);
        inUse.ended(id);
        inUse.drain();

        assertThat(inUse.drain()).extracting(SessionActivity::sessionId).containsExactly(id);
        inUse.ended(id);
        inUse.drain();
        assertThat(inUse.drain()).isEmpty();
    }

    @Test
    void sessionsPastTheBoundAreDroppedAndCountedUntilTheNextDrain() {
        UUID second = UUID.randomUUID();
        UUID third = UUID.randomUUID();
        inUse.ended(id);
        inUse.ended(second);
        inUse.ended(third);

        assertThat(inUse.drain()).extracting(SessionActivity::sessionId).containsExactlyInAnyOrder(id, second);
        assertThat(overflow.count()).isEqualTo(1);
        inUse.ended(third);
        assertThat(inUse.drain()).extracting(SessionActivity::sessionId).containsExactly(third);
    }
}
