package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import org.junit.jupiter.api.Test;

/** A claim's check starts after the first page, or without one once its bound passed. */
class FirstPageWaitTest {

    @Test
    void theWaitEndsWhenThePageIsRelayed() throws Exception {
        AtomicReference<Runnable> hook = new AtomicReference<>();
        FirstPageWait wait = new FirstPageWait(hook::set, Duration.ofMinutes(5));
        CompletableFuture<Boolean> waited = CompletableFuture.supplyAsync(() -> {
            try {
                return wait.await();
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });

        hook.get().run();

        assertThat(waited.get(30, TimeUnit.SECONDS)).as("ended by the page").isTrue();
    }

    @Test
    void withNoPageTheWaitEndsAtItsBound() throws Exception {
        FirstPageWait wait = new FirstPageWait(hook -> { }, Duration.ofMillis(50));

        assertThat(wait.await()).as("ended by the bound").isFalse();
        assertThat(FirstPageWait.none().await()).as("a wait for nothing").isTrue();
    }
}
