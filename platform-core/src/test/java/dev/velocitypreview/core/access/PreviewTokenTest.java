package dev.velocitypreview.core.access;

import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PreviewTokenTest {

    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private final PreviewToken tokens = new PreviewToken(SECRET);
    private final UUID session = UUID.randomUUID();
    private final Instant now = Instant.parse("2026-11-24T04:00:00Z");

    @Test
    void aMintedTokenOpensItsSessionUntilItExpires() {
        String token = tokens.mint(session, now, Duration.ofMinutes(5));
        assertThat(tokens.check(token, session, now)).isEqualTo(PreviewToken.Check.VALID);
        assertThat(tokens.check(token, session, now.plus(Duration.ofMinutes(5)))).isEqualTo(PreviewToken.Check.EXPIRED);
        assertThat(PreviewToken.expiryOf(token)).isEqualTo(now.plus(Duration.ofMinutes(5)));
    }

    @Test
    void aTokenForAnotherSessionIsRefused() {
        String token = tokens.mint(UUID.randomUUID(), now, Duration.ofMinutes(5));
        assertThat(tokens.check(token, session, now)).isEqualTo(PreviewToken.Check.WRONG_SESSION);
    }

    @Test
    void aTamperedOrForeignTokenIsRefused() {
        String token = tokens.mint(session, now, Duration.ofMinutes(5));
        String longer = token.replaceFirst("\\.(\\d+)\\.", "." + now.plus(Duration.ofDays(9)).getEpochSecond() + ".");
        assertThat(tokens.check(longer, session, now)).isEqualTo(PreviewToken.Check.BAD_SIGNATURE);
        String foreign = new PreviewToken("another-secret-another-secret-another").mint(session, now, Duration.ofMinutes(5));
        assertThat(tokens.check(foreign, session, now)).isEqualTo(PreviewToken.Check.BAD_SIGNATURE);
    }

    @Test
    void garbageIsMalformedAndNeverThrows() {
        for (String junk : new String[] {null, "", "v1", "v2.a.b.c", "v1.a.notanumber.c", "x".repeat(500), "v1...."}) {
            assertThat(tokens.check(junk, session, now)).as(String.valueOf(junk)).isEqualTo(PreviewToken.Check.MALFORMED);
        }
    }

    @Test
    void aShortSecretIsRefused() {
        assertThatThrownBy(() -> new PreviewToken("short")).hasMessageContaining("at least 32 bytes");
    }
}
