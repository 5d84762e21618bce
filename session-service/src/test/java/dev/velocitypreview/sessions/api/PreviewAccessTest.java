package dev.velocitypreview.sessions.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import dev.velocitypreview.core.access.PreviewToken;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.sessions.SessionServiceProperties;
import dev.velocitypreview.sessions.TestTokens;

class PreviewAccessTest {

    private static final Instant NOW = Instant.parse("2026-03-01T12:00:00Z");
    private final Clock clock = Clock.fixed(NOW, ZoneOffset.UTC);

    private PreviewAccess access(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>(Map.of("velocity.session-service.auth.hs256-secret", TestTokens.SECRET));
        settings.forEach((key, value) -> all.put("velocity.session-service." + key, value));
        SessionServiceProperties properties = new Binder(new MapConfigurationPropertySource(all))
                .bindOrCreate("velocity.session-service", SessionServiceProperties.class);
        return new PreviewAccess(properties, clock);
    }

    private static SessionView session(UUID id, SessionStatus status, Visibility visibility) {
        return new SessionView(id, "user-1", UUID.randomUUID(), status, null, null, null, null, null, Tier.FREE,
                visibility, 1, NOW, NOW, NOW, null, null, null, null);
    }

    @Test
    void privateSessionGetsATokenForItselfThatLastsTheConfiguredTtl() {
        PreviewAccess access = access(Map.of("preview-token-secret", TestTokens.PREVIEW_SECRET,
                "preview-token-ttl", "5m"));
        UUID id = UUID.randomUUID();

        String token = access.tokenFor(session(id, SessionStatus.ACTIVE, Visibility.PRIVATE));

        PreviewToken tokens = new PreviewToken(TestTokens.PREVIEW_SECRET);
        assertThat(tokens.check(token, id, NOW.plus(Duration.ofMinutes(4)))).isEqualTo(PreviewToken.Check.VALID);
        assertThat(tokens.check(token, id, NOW.plus(Duration.ofMinutes(5)))).isEqualTo(PreviewToken.Check.EXPIRED);
        assertThat(tokens.check(token, UUID.randomUUID(), NOW)).isEqualTo(PreviewToken.Check.WRONG_SESSION);
    }

    @Test
    void publicAndEndedSessionsGetNoToken() {
        PreviewAccess access = access(Map.of("preview-token-secret", TestTokens.PREVIEW_SECRET));

        assertThat(access.tokenFor(session(UUID.randomUUID(), SessionStatus.ACTIVE, Visibility.PUBLIC))).isNull();
        assertThat(access.tokenFor(session(UUID.randomUUID(), SessionStatus.TERMINATED, Visibility.PRIVATE))).isNull();
        assertThat(access.tokenFor(session(UUID.randomUUID(), SessionStatus.ACTIVE, null))).isNull();
    }

    @Test
    void visibilityDefaultsToTheConfiguredOne() {
        assertThat(access(Map.of()).visibilityFor(null)).isEqualTo(Visibility.PUBLIC);
        assertThat(access(Map.of("preview-token-secret", TestTokens.PREVIEW_SECRET, "default-visibility", "private"))
                .visibilityFor(null)).isEqualTo(Visibility.PRIVATE);
    }

    @Test
    void privateSessionIsRefusedWhereNoPreviewTokenSecretIsConfigured() {
        assertThatThrownBy(() -> access(Map.of()).visibilityFor(Visibility.PRIVATE))
                .isInstanceOf(ApiProblem.class)
                .hasMessageContaining("private previews are not enabled on this service");
    }
}
