package dev.velocitypreview.core.directory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

import static org.assertj.core.api.Assertions.assertThat;

class SessionWaitersTest {

    private final SessionWaiters waiters = new SessionWaiters();

    /**
     * A request that starts waiting for a session just as the last other waiter for it goes away (it
     * was answered, or timed out) must still be woken by the next change. It was once added to a set
     * that had just been dropped, and so held until the router's max-hold. Here several threads
     * wait for, and are woken for, one session over and over, each checking that the change it
     * publishes right after registering reaches it.
     */
    @Test
    void aWaiterRegisteredWhileAnotherForTheSameSessionLeavesIsStillWoken() throws Exception {
        UUID id = UUID.randomUUID();
        int threads = 4;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CyclicBarrier together = new CyclicBarrier(threads);
            List<Future<Integer>> lost = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                lost.add(pool.submit(() -> {
                    together.await();
                    int missed = 0;
                    for (int round = 0; round < 200_000; round++) {
                        SessionWaiters.Waiter waiter = waiters.register(id, view -> true);
                        waiters.publish(id, () -> view(id));
                        if (!waiter.future().isDone()) {
                            missed++;
                            waiter.future().cancel(false);
                        }
                    }
                    return missed;
                }));
            }
            for (Future<Integer> missed : lost) {
                assertThat(missed.get()).as("waiters never woken").isZero();
            }
            assertThat(waiters.size()).as("nobody left waiting").isZero();
        } finally {
            pool.shutdownNow();
        }
    }

    private static SessionView view(UUID id) {
        Instant now = Instant.now();
        return new SessionView(id, "user-1", UUID.randomUUID(), SessionStatus.ACTIVE, null, null, "m-1",
                "http://127.0.0.1:1", "local", Tier.FREE, Visibility.PUBLIC, 3, now, now, now, now,
                now.plus(Duration.ofMinutes(30)), null, null);
    }
}
