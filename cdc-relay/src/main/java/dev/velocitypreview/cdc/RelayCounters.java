package dev.velocitypreview.cdc;

import java.util.concurrent.atomic.AtomicLong;

/** The relay's counters, written by the engine and supervisor threads, read by anyone. */
final class RelayCounters {

    private final AtomicLong recordsRelayed = new AtomicLong();
    private final AtomicLong batchesRelayed = new AtomicLong();
    private final AtomicLong lastLagMillis = new AtomicLong(-1);
    private final AtomicLong engineRestarts = new AtomicLong();

    void batchRelayed(int records) {
        recordsRelayed.addAndGet(records);
        batchesRelayed.incrementAndGet();
    }

    void lag(long millis) {
        lastLagMillis.set(Math.max(0, millis));
    }

    void engineRestarted() {
        engineRestarts.incrementAndGet();
    }

    long recordsRelayed() {
        return recordsRelayed.get();
    }

    long batchesRelayed() {
        return batchesRelayed.get();
    }

    long lastLagMillis() {
        return lastLagMillis.get();
    }

    long engineRestarts() {
        return engineRestarts.get();
    }
}
