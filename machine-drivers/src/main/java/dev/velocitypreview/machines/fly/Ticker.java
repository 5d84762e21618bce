package dev.velocitypreview.machines.fly;

import java.util.concurrent.TimeUnit;

/** Time as the driver's waits see it: a monotonic clock and a way to pause. Tests substitute their own. */
interface Ticker {

    Ticker SYSTEM = new Ticker() {
        @Override
        public long nanoTime() {
            return System.nanoTime();
        }

        @Override
        public void sleep(long nanos) throws InterruptedException {
            TimeUnit.NANOSECONDS.sleep(nanos);
        }
    };

    long nanoTime();

    /** Pauses the calling thread; returns at once for {@code nanos <= 0}. */
    void sleep(long nanos) throws InterruptedException;
}
