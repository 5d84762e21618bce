package dev.velocitypreview.machines.fly;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.config.Secret;

class FlyMachinesSettingsTest {

    private static final FlyMachinesSettings SETTINGS =
            FlyMachinesSettings.of("fo1_secret-token", "velocity-previews", "registry.fly.io/velocity-previews:v1", List.of("ams", "fra"));

    @Test
    void defaultsFollowFlysDocumentedApiAndLimits() {
        assertThat(SETTINGS.baseUrl()).isEqualTo(URI.create("https://api.machines.dev"));
        assertThat(SETTINGS.rateLimits()).isEqualTo(new FlyMachinesSettings.RateLimits(1, 3, 5, 10));
        assertThat(SETTINGS.timeouts().waitSlice()).isEqualTo(Duration.ofSeconds(60));
        assertThat(SETTINGS.runtime().healthUrlTemplate()).isEqualTo("http://{machine}.vm.{app}.internal:{port}");
    }

    @Test
    void theTokenNeverShowsInTheSettingsText() {
        assertThat(SETTINGS.toString()).doesNotContain("fo1_secret-token").contains("token=" + Secret.MASK);
    }

    @Test
    void aWaitSliceOverSixtySecondsIsRefused() {
        assertThatThrownBy(() -> new FlyMachinesSettings.Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(1),
                Duration.ofSeconds(1), Duration.ofSeconds(61), Duration.ofSeconds(10), Duration.ofSeconds(1), Duration.ofMillis(10)))
                .hasMessageContaining("waitSlice must be from 1 s to 60 s");
    }

    @Test
    void regionsMustBeFlyRegionCodesWithoutRepeats() {
        assertThatThrownBy(() -> FlyMachinesSettings.of("t", "app", "image", List.of()))
                .hasMessageContaining("at least one Fly region");
        assertThatThrownBy(() -> FlyMachinesSettings.of("t", "app", "image", List.of("ams", "Frankfurt")))
                .hasMessageContaining("got Frankfurt");
        assertThatThrownBy(() -> FlyMachinesSettings.of("t", "app", "image", List.of("ams", "ams")))
                .hasMessageContaining("must not repeat");
    }

    @Test
    void aDriverIsRefusedSettingsThatBreakTheirConstraintsNamingEachOne() {
        FlyMachinesSettings broken = SETTINGS
                .withRetry(new FlyMachinesSettings.Retry(0, FlyMachinesSettings.Retry.DEFAULT.backoff(), 1, Duration.ZERO))
                .withRateLimits(new FlyMachinesSettings.RateLimits(0, 3, 5, 10));

        assertThatThrownBy(() -> new FlyMachinesDriver(broken))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("rateLimits.actionsPerSecond must be greater than 0; retry.lookupInterval must be a positive "
                        + "duration; retry.maxAttempts must be greater than or equal to 1");
    }

    @Test
    void aBundleLimitAboveWhatLinuxAcceptsInOneVariableIsRefused() {
        assertThatThrownBy(() -> FlyMachinesSettings.Runtime.DEFAULT.withMaxBundleBytes(FlyMachinesDriver.MAX_BUNDLE_ENV_BYTES + 1))
                .hasMessageContaining("maxBundleBytes must be from 1 to 131052");
    }
}
