package dev.velocitypreview.core.retry;

import java.time.Duration;
import java.util.SplittableRandom;
import java.util.random.RandomGenerator;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BackoffTest {

    private final Backoff backoff = new Backoff(Duration.ofMillis(100), Duration.ofSeconds(1));

    @Test
    void stepDoublesFromInitialUpToMax() {
        assertThat(backoff.step(1)).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.step(2)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.step(4)).isEqualTo(Duration.ofMillis(800));
        assertThat(backoff.step(5)).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.step(Integer.MAX_VALUE)).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void delayIsBetweenHalfAndAllOfTheStep() {
        RandomGenerator random = new SplittableRandom(7);
        for (int failures = 1; failures < 70; failures++) {
            Duration step = backoff.step(failures);
            for (int i = 0; i < 50; i++) {
                assertThat(backoff.delay(failures, random)).isBetween(step.dividedBy(2), step);
            }
        }
    }

    @Test
    void jitterReachesBothEndsOfItsRange() {
        RandomGenerator lowest = new FixedRandom(0);
        RandomGenerator highest = new FixedRandom(Long.MAX_VALUE);
        assertThat(backoff.delay(3, lowest)).isEqualTo(Duration.ofMillis(200));
        assertThat(backoff.delay(3, highest)).isEqualTo(Duration.ofMillis(400));
    }

    @Test
    void refusesANonPositiveInitialOrAMaxBelowIt() {
        assertThatThrownBy(() -> new Backoff(Duration.ZERO, Duration.ofSeconds(1)))
                .hasMessage("initial must be positive, got PT0S");
        assertThatThrownBy(() -> new Backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("max must be >= initial, got PT1S < PT2S");
        assertThatThrownBy(() -> backoff.step(0)).hasMessage("failuresInARow must be >= 1, got 0");
    }

    /** Answers every bounded draw with {@code min(value, bound - 1)}. */
    private record FixedRandom(long value) implements RandomGenerator {
        @Override
        public long nextLong() {
            return value;
        }

        @Override
        public long nextLong(long bound) {
            return Math.min(value, bound - 1);
        }
    }
}
