package dev.velocitypreview.cdc;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;

import org.junit.jupiter.api.Test;

class RestartDelayTest {

    private static final Duration INITIAL = Duration.ofSeconds(1);
    private static final Duration MAX = Duration.ofSeconds(30);

    @Test
    void firstFailureWaitsTheInitialDelay() {
        assertThat(ChangelogRelay.restartDelay(1, INITIAL, MAX)).isEqualTo(INITIAL);
    }

    @Test
    void eachFurtherFailureInARowDoublesTheDelay() {
        assertThat(ChangelogRelay.restartDelay(2, INITIAL, MAX)).isEqualTo(Duration.ofSeconds(2));
        assertThat(ChangelogRelay.restartDelay(4, INITIAL, MAX)).isEqualTo(Duration.ofSeconds(8));
    }

    @Test
    void delayNeverExceedsTheCeilingHoweverManyFailures() {
        assertThat(ChangelogRelay.restartDelay(6, INITIAL, MAX)).isEqualTo(MAX);
        assertThat(ChangelogRelay.restartDelay(Integer.MAX_VALUE, INITIAL, MAX)).isEqualTo(MAX);
    }
}
