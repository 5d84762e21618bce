package dev.velocitypreview.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import java.net.URI;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import jakarta.validation.Validation;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.ConfigurationPropertySources;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.core.env.StandardEnvironment;
import org.springframework.core.env.SystemEnvironmentPropertySource;
import org.springframework.validation.FieldError;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;
import org.springframework.security.oauth2.jose.jws.SignatureAlgorithm;
import org.springframework.util.unit.DataSize;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.sessions.SessionServiceProperties.TierLimits;

class SessionServicePropertiesTest {

    private static final String PREFIX = "velocity.session-service.";

    /** Binds {@code settings} (names without the prefix) plus an HS256 secret unless auth is given. */
    private static SessionServiceProperties bind(Map<String, String> settings) {
        Map<String, String> all = new HashMap<>();
        if (settings.keySet().stream().noneMatch(key -> key.startsWith("auth."))) {
            all.put(PREFIX + "auth.hs256-secret", TestTokens.SECRET);
        }
        settings.forEach((key, value) -> all.put(PREFIX + key, value));
        return new Binder(new MapConfigurationPropertySource(all)).bindOrCreate("velocity.session-service",
                Bindable.of(SessionServiceProperties.class),
                new ValidationBindHandler(new SpringValidatorAdapter(Validation.buildDefaultValidatorFactory().getValidator())));
    }

    /** The broken constraints as {@code setting: condition}, named as Spring Boot's startup failure report names them. */
    private static List<String> violations(Map<String, String> settings) {
        Throwable thrown = catchThrowable(() -> bind(settings));
        assertThat(thrown).isInstanceOf(BindException.class).rootCause().isInstanceOf(BindValidationException.class);
        BindValidationException invalid = (BindValidationException) thrown.getCause();
        return invalid.getValidationErrors().getAllErrors().stream()
                .map(error -> (FieldError) error)
                .map(error -> error.getObjectName() + "." + error.getField() + ": " + error.getDefaultMessage())
                .toList();
    }

    @Test
    void defaultsServeTheEmbeddedSetup() {
        SessionServiceProperties properties = bind(Map.of());

        assertThat(properties.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(properties.kafka().producer()).isEmpty();
        assertThat(properties.kafka().createTopics()).isTrue();
        assertThat(properties.directory().applicationId()).isEqualTo("velocity-session-service");
        assertThat(properties.previewBaseUrl()).isEqualTo(URI.create("http://localhost:8081"));
        assertThat(properties.previewStyle()).isEqualTo(SessionServiceProperties.PreviewStyle.HOST);
        assertThat(properties.previewDomain()).isEqualTo("preview.localhost");
        assertThat(properties.publicBaseUrl()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(properties.unknownSessionGrace()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.maxRequestBody()).isEqualTo(DataSize.ofKilobytes(16));
        assertThat(properties.sendTimeout()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.defaultVisibility()).isEqualTo(Visibility.PUBLIC);
        assertThat(properties.previewTokenSecret()).isNull();
        assertThat(properties.previewTokenTtl()).isEqualTo(Duration.ofMinutes(15));
        assertThat(properties.auth().rolesClaim()).isEqualTo("roles");
        assertThat(properties.auth().tierClaim()).isEqualTo("tier");
        assertThat(properties.auth().adminRole()).isEqualTo("admin");
        assertThat(properties.auth().issuer()).isNull();
        assertThat(properties.auth().audience()).isNull();
        assertThat(properties.auth().jwsAlgorithms()).containsExactly(SignatureAlgorithm.RS256, SignatureAlgorithm.ES256);
    }

    @Test
    void everyTierHasTheDocumentedDefaultLimits() {
        SessionServiceProperties properties = bind(Map.of());

        assertThat(properties.limits(Tier.FREE)).isEqualTo(
                new TierLimits(2, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10)));
        assertThat(properties.limits(Tier.PRO)).isEqualTo(
                new TierLimits(10, Duration.ofHours(2), new MachineSize("shared", 1, 1024), Duration.ofMinutes(30)));
        assertThat(properties.limits(Tier.TEAM)).isEqualTo(
                new TierLimits(50, Duration.ofHours(8), new MachineSize("shared", 2, 2048), Duration.ofMinutes(60)));
    }

    @Test
    void aConfiguredTierReplacesItsRowAndLeavesTheOthers() {
        SessionServiceProperties properties = bind(Map.of(
                "tiers.pro.max-concurrent-sessions", "20",
                "tiers.pro.ttl-cap", "4h",
                "tiers.pro.machine.cpu-kind", "performance",
                "tiers.pro.machine.cpus", "2",
                "tiers.pro.machine.memory-mb", "4096",
                "tiers.pro.idle-timeout", "45m"));

        assertThat(properties.limits(Tier.PRO)).isEqualTo(
                new TierLimits(20, Duration.ofHours(4), new MachineSize("performance", 2, 4096), Duration.ofMinutes(45)));
        assertThat(properties.limits(Tier.FREE).maxConcurrentSessions()).isEqualTo(2);
    }

    @Test
    void aTierConfiguredInPartKeepsItsOtherDefaults() {
        SessionServiceProperties properties = bind(Map.of("tiers.free.idle-timeout", "30s"));

        assertThat(properties.limits(Tier.FREE)).isEqualTo(
                new TierLimits(2, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofSeconds(30)));
    }

    @Test
    void aTiersIdleTimeoutGivenThroughTheEnvironmentReplacesOnlyThatValue() {
        // how an operator shortens it for the embedded default: VELOCITY_SESSIONSERVICE_TIERS_FREE_IDLETIMEOUT=20s (dashes dropped: the tier is a map key)
        Map<String, Object> environment = Map.of(
                "VELOCITY_SESSIONSERVICE_TIERS_FREE_IDLETIMEOUT", "20s",
                "VELOCITY_SESSION_SERVICE_AUTH_HS256_SECRET", TestTokens.SECRET);
        SessionServiceProperties properties = new Binder(ConfigurationPropertySources.from(
                new SystemEnvironmentPropertySource(StandardEnvironment.SYSTEM_ENVIRONMENT_PROPERTY_SOURCE_NAME, environment)))
                .bindOrCreate("velocity.session-service", Bindable.of(SessionServiceProperties.class));

        assertThat(properties.limits(Tier.FREE)).isEqualTo(
                new TierLimits(2, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofSeconds(20)));
        assertThat(properties.limits(Tier.PRO).idleTimeout()).isEqualTo(Duration.ofMinutes(30));
    }

    @Test
    void aBadTierValueIsRefusedAtStartNamingTheSetting() {
        assertThatThrownBy(() -> bind(Map.of("tiers.pro.max-concurrent-sessions", "0")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("tiers.*.max-concurrent-sessions must be at least 1, got 0");
    }

    @Test
    void anUnknownTierIsRefused() {
        assertThatThrownBy(() -> bind(Map.of("tiers.gold.max-concurrent-sessions", "20")))
                .isInstanceOf(BindException.class);
    }

    @Test
    void previewBaseThatIsNotAnHttpUrlIsRefusedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("preview-base-url", "localhost:8081")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("preview-base-url must be an absolute http(s) URL");
    }

    @Test
    void zeroSendTimeoutIsRefusedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("send-timeout", "0s")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("send-timeout must be at least 1ms");
    }

    @Test
    void withoutAnyWayToCheckTokensTheServiceDoesNotStart() {
        assertThatThrownBy(() -> bind(Map.of("auth.roles-claim", "roles")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("set exactly one of auth.hs256-secret")
                .hasMessageContaining("got neither");
    }

    @Test
    void aSecretAndAJwkSetTogetherAreAmbiguous() {
        assertThatThrownBy(() -> bind(Map.of("auth.hs256-secret", TestTokens.SECRET,
                "auth.jwks-uri", "https://id.example.test/.well-known/jwks.json")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("got both");
    }

    @Test
    void aShortHs256SecretIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> bind(Map.of("auth.hs256-secret", "too-short-secret")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("auth.hs256-secret must be at least 32 bytes")
                .hasMessageNotContaining("too-short-secret");
    }

    @Test
    void aJwkSetUrlAloneIsEnough() {
        SessionServiceProperties properties = bind(Map.of("auth.jwks-uri", "https://id.example.test/jwks.json",
                "auth.jws-algorithms", "ES256"));

        assertThat(properties.auth().jwksUri()).isEqualTo(URI.create("https://id.example.test/jwks.json"));
        assertThat(properties.auth().jwsAlgorithms()).containsExactly(SignatureAlgorithm.ES256);
    }

    @Test
    void aShortPreviewTokenSecretIsRefusedWithoutShowingIt() {
        assertThatThrownBy(() -> bind(Map.of("preview-token-secret", "short-preview-secret")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("preview-token-secret must be at least 32 bytes")
                .hasMessageNotContaining("short-preview-secret");
    }

    @Test
    void privateByDefaultNeedsAPreviewTokenSecret() {
        assertThatThrownBy(() -> bind(Map.of("default-visibility", "private")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("default-visibility is private, which needs preview-token-secret");
        assertThat(bind(Map.of("default-visibility", "private", "preview-token-secret", TestTokens.PREVIEW_SECRET))
                .defaultVisibility()).isEqualTo(Visibility.PRIVATE);
    }

    @Test
    void brokenSettingsAreRefusedNamingTheSettingAndTheCondition() {
        assertThat(violations(Map.of("preview-token-ttl", "0s")))
                .containsExactly("velocity.session-service.previewTokenTtl: must be a positive duration");
        assertThat(violations(Map.of("auth.roles-claim", " ", "auth.tier-claim", "", "auth.hs256-secret", TestTokens.SECRET)))
                .containsExactlyInAnyOrder("velocity.session-service.auth.rolesClaim: must not be blank",
                        "velocity.session-service.auth.tierClaim: must not be blank");
        assertThat(violations(Map.of("kafka.bootstrap-servers", "")))
                .containsExactly("velocity.session-service.kafka.bootstrapServers: must not be blank");
        assertThat(violations(Map.of("preview-domain", "preview localhost")))
                .containsExactly("velocity.session-service.previewDomain: must be a DNS name such as preview.localhost");
        assertThat(violations(Map.of("directory.application-id", " ")))
                .containsExactly("velocity.session-service.directory.applicationId: must not be blank");
    }

    @Test
    void secretsAreMaskedWhenThePropertiesArePrinted() {
        SessionServiceProperties properties = bind(Map.of("preview-token-secret", TestTokens.PREVIEW_SECRET));

        assertThat(properties.toString()).doesNotContain(TestTokens.SECRET).doesNotContain(TestTokens.PREVIEW_SECRET)
                .contains("hs256Secret=******").contains("previewTokenSecret=******");
        assertThat(properties.auth().toString()).doesNotContain(TestTokens.SECRET);
        assertThat(List.of(properties.auth()).toString()).doesNotContain(TestTokens.SECRET);
    }
}
