package dev.velocitypreview.runtime;

import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * What a claim's compile check waits for first: the session's first page. The router holds that page until the
 * session is ACTIVE and sends it the moment it is, so it reaches the machine right after the claim was answered, just
 * when the check would have the dev server compile the claim's files. On a host whose cores many claims share, the
 * two compete, and the page is what a person waits for, while the check's verdict only goes with the first sync. So
 * the check starts once the front relayed an answer after the claim, or once {@link #BOUND} passed without one (no
 * one asked for a page, an API client).
 */
final class FirstPageWait {

    /** Longer than the first page takes after a claim when sixteen claims share two cores (about 0.4 s). */
    static final Duration BOUND = Duration.ofMillis(500);

    private final CountDownLatch relayed = new CountDownLatch(1);
    private final Duration bound;

    /**
     * @param afterNextRelay runs what it is given once the next answer was relayed ({@link PreviewFront#afterNextRelay})
     */
    FirstPageWait(Consumer<Runnable> afterNextRelay, Duration bound) {
        this.bound = bound;
        afterNextRelay.accept(relayed::countDown);
    }

    /** A wait that is over at once. */
    static FirstPageWait none() {
        return new FirstPageWait(Runnable::run, Duration.ZERO);
    }

    /** @return true when a page was relayed, false when the bound passed first */
    boolean await() throws InterruptedException {
        return relayed.await(bound.toNanos(), TimeUnit.NANOSECONDS);
    }
}
