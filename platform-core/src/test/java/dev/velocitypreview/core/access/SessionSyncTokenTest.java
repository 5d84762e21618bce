package dev.velocitypreview.core.access;

import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SessionSyncTokenTest {

    @Test
    void aTokenOpensItsOwnSessionOnly() {
        UUID session = UUID.randomUUID();
        String token = SessionSyncToken.of("secret", session);
        assertThat(SessionSyncToken.matches("secret", session, token)).isTrue();
        assertThat(SessionSyncToken.matches("secret", UUID.randomUUID(), token)).isFalse();
        assertThat(SessionSyncToken.matches("other", session, token)).isFalse();
        assertThat(SessionSyncToken.matches("secret", session, null)).isFalse();
        // never the replay state, which the router sends on every request
        assertThat(token).isNotEqualTo(SessionReplayState.of("secret", session)).hasSize(64);
    }
}
