package dev.velocitypreview.core.config;

import java.time.Duration;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Min;
import jakarta.validation.constraints.NotBlank;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ConstraintsTest {

    record Timeouts(@PositiveDuration Duration connect) {
    }

    record Settings(@NotBlank String name, @Min(1) int attempts, @Valid Timeouts timeouts) {
    }

    @Test
    void validSettingsAreReturnedAsTheyAre() {
        Settings settings = new Settings("relay", 3, new Timeouts(Duration.ofSeconds(1)));

        assertThat(Constraints.check(settings)).isSameAs(settings);
    }

    @Test
    void everyBrokenSettingIsNamedByItsPathWithTheCondition() {
        assertThatThrownBy(() -> Constraints.check(new Settings(" ", 0, new Timeouts(Duration.ZERO))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("attempts must be greater than or equal to 1; name must not be blank; "
                        + "timeouts.connect must be a positive duration");
    }

    @Test
    void nullIsLeftToNotNull() {
        assertThat(Constraints.check(new Timeouts(null)).connect()).isNull();
        assertThatThrownBy(() -> Constraints.check(new Timeouts(Duration.ofMillis(-1))))
                .hasMessage("connect must be a positive duration");
    }
}
