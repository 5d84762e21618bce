package dev.velocitypreview.machines.fly;

import java.util.OptionalLong;

/**
 * A token bucket of {@code burst} tokens refilled at {@code perSecond}, kept as the time the next
 * request is due (the generic cell rate algorithm), so it needs no refill thread. Callers reserve a
 * slot and then sleep until it: waiting callers queue in the order they reserved, and nobody spins.
 *
 * <p>Thread-safe.
 */
final class TokenBucket {

    private final long interval;
    private final long tolerance;
    /** When the bucket would be full again if nobody took a token: the "theoretical arrival time". */
    private long due;

    TokenBucket(double perSecond, int burst, long now) {
        if (!(perSecond > 0) || burst < 1) {
            throw new IllegalArgumentException("perSecond must be positive and burst >= 1, got " + perSecond + " and " + burst);
        }
        this.interval = Math.max(1, Math.round(1_000_000_000d / perSecond));
        this.tolerance = (burst - 1) * interval;
        this.due = now;
    }

    /**
     * Takes a token, now or at a later time.
     *
     * @param now    the current time, nanos on the caller's ticker
     * @param latest the latest time the caller is willing to send at
     * @return when the caller may send (at or after {@code now}); empty, and no token taken, when that
     * would be after {@code latest}
     */
    synchronized OptionalLong reserve(long now, long latest) {
        long from = Math.max(due, now);
        long sendAt = Math.max(now, from - tolerance);
        if (sendAt - latest > 0) {
            return OptionalLong.empty();
        }
        due = from + interval;
        return OptionalLong.of(sendAt);
    }

    /** Whether the bucket is full again at {@code now}: forgetting it then changes nothing for later callers. */
    synchronized boolean isFull(long now) {
        return due - now <= 0;
    }
}
