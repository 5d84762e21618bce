package dev.velocitypreview.core.access;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionReplayStateTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";

    @Test
    void eachSessionHasAStateOfItsOwnThatTheSecretAloneRepeats() {
        UUID one = UUID.fromString("3f2c1a9e-0b7d-4c55-9a1e-6f0d2b8c7e11");
        UUID other = UUID.fromString("8a4e2b10-3c6d-4f7a-b1e2-9d0c5a6b7f22");

        String state = SessionReplayState.of(SECRET, one);

        assertThat(state).matches("[0-9a-f]{64}").doesNotContain(SECRET);
        assertThat(SessionReplayState.of(SECRET, one)).isEqualTo(state);
        assertThat(SessionReplayState.of(SECRET, other)).isNotEqualTo(state);
        assertThat(SessionReplayState.of(SECRET.replace('0', 'x'), one)).isNotEqualTo(state);
    }
}
