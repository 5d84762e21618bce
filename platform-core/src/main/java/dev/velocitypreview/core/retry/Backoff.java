package dev.velocitypreview.core.retry;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;
import java.util.random.RandomGenerator;

/**
 * Exponential backoff with equal jitter: the wait after the n-th failure in a row is between half and
 * all of {@code initial * 2^(n-1)}, that step never above {@code max}. The random half spreads out
 * callers that failed together; the fixed half keeps each of them from coming back at once.
 *
 * @param initial the step after the first failure
 * @param max     the largest step, so the longest wait
 */
public record Backoff(Duration initial, Duration max) {

    public Backoff {
        Objects.requireNonNull(initial, "initial == null");
        Objects.requireNonNull(max, "max == null");
        if (initial.isNegative() || initial.isZero()) {
            throw new IllegalArgumentException("initial must be positive, got " + initial);
        }
        if (max.compareTo(initial) < 0) {
            throw new IllegalArgumentException("max must be >= initial, got " + max + " < " + initial);
        }
    }

    /** The wait after {@code failuresInARow} failures (1 for the first), with a random jitter. */
    public Duration delay(int failuresInARow) {
        return delay(failuresInARow, ThreadLocalRandom.current());
    }

    /** As {@link #delay(int)}, drawing the jitter from {@code random}. */
    public Duration delay(int failuresInARow, RandomGenerator random) {
        long step = step(failuresInARow).toNanos();
        return Duration.ofNanos(step / 2 + random.nextLong(step / 2 + 1));
    }

    /** {@code initial * 2^(failuresInARow-1)}, at most {@code max}: the longest {@link #delay(int)} can be. */
    public Duration step(int failuresInARow) {
        if (failuresInARow < 1) {
            throw new IllegalArgumentException("failuresInARow must be >= 1, got " + failuresInARow);
        }
        long initialNanos = initial.toNanos();
        long maxNanos = max.toNanos();
        int doublings = failuresInARow - 1;
        // a shift this far would overflow into the sign bit; the step is past any max long before
        if (doublings >= Long.numberOfLeadingZeros(initialNanos)) {
            return max;
        }
        return Duration.ofNanos(Math.min(maxNanos, initialNanos << doublings));
    }
}
