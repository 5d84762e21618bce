package dev.velocitypreview.sessions.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtValidationException;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.TestTokens;

/** What the launcher prints is a token the service, configured with the same secret, accepts as that caller. */
class DevTokensTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");

    private static final SessionServiceProperties.Auth AUTH = new Binder(new MapConfigurationPropertySource(
            Map.of("velocity.session-service.auth.hs256-secret", TestTokens.SECRET)))
            .bindOrCreate("velocity.session-service", SessionServiceProperties.class).auth();

    private static JwtDecoder decoderAt(Instant now) {
        return SecurityConfiguration.decoder(AUTH, new CallerClaims(AUTH), Clock.fixed(now, ZoneOffset.UTC));
    }

    @Test
    void mintedTokenNamesTheCallerTheirTierAndTheirRoles() {
        String token = DevTokens.mint(TestTokens.SECRET, "demo", List.of("admin"), Tier.PRO, NOW, Duration.ofHours(12));

        var jwt = decoderAt(NOW.plus(Duration.ofHours(11))).decode(token);
        Caller caller = (Caller) new CallerClaims(AUTH).convert(jwt).getPrincipal();

        assertThat(caller).isEqualTo(new Caller("demo", Tier.PRO, true));
    }

    @Test
    void mintedTokenExpiresAfterItsTtl() {
        String token = DevTokens.mint(TestTokens.SECRET, "demo", List.of(), Tier.FREE, NOW, Duration.ofHours(1));

        assertThatThrownBy(() -> decoderAt(NOW.plus(Duration.ofHours(2))).decode(token))
                .isInstanceOf(JwtValidationException.class).hasMessageContaining("Jwt expired at");
    }

    @Test
    void shortSecretsAndMalformedUserIdsAreRefused() {
        assertThatThrownBy(() -> DevTokens.mint("short", "demo", List.of(), Tier.FREE, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("at least 32 bytes");
        assertThatThrownBy(() -> DevTokens.mint(TestTokens.SECRET, "two words", List.of(), Tier.FREE, Duration.ofHours(1)))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("userId must be");
    }
}
