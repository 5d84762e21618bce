package dev.velocitypreview.router.publish;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

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
