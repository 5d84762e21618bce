package dev.velocitypreview.machines.fly;

import java.util.ArrayList;
import java.util.List;

/** A ticker the test moves: sleeping advances it by exactly the time asked for, and is recorded. */
final class MutableTicker implements Ticker {

    private long now = 1_000_000_000L;
    private final List<Long> sleeps = new ArrayList<>();

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized void sleep(long nanos) {
        sleeps.add(nanos);
        if (nanos > 0) {
            now += nanos;
        }
    }

    synchronized void advance(long nanos) {
        now += nanos;
    }

    synchronized List<Long> sleeps() {
        return List.copyOf(sleeps);
    }
}
