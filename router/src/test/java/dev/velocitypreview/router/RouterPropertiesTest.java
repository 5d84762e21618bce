package dev.velocitypreview.router;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import jakarta.validation.Validation;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Bindable;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.bind.validation.BindValidationException;
import org.springframework.boot.context.properties.bind.validation.ValidationBindHandler;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.validation.FieldError;
import org.springframework.validation.beanvalidation.SpringValidatorAdapter;

import dev.velocitypreview.core.config.Secret;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

class RouterPropertiesTest {

    @Test
    void defaultsAreTheDocumentedOnes() {
        RouterProperties properties = bind(Map.of());

        assertThat(properties.previewDomain()).isEqualTo("preview.localhost");
        assertThat(properties.maxHold()).isEqualTo(Duration.ofSeconds(60));
        assertThat(properties.unknownGrace()).isEqualTo(Duration.ofSeconds(3));
        assertThat(properties.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(properties.kafka().applicationId()).isEqualTo("velocity-router");
        assertThat(properties.kafka().instanceId()).isNull();
        assertThat(properties.kafka().stateDir()).isNull();
        assertThat(properties.kafka().streams()).isEmpty();
        assertThat(properties.kafka().producer()).isEmpty();
        assertThat(properties.activity().interval()).isEqualTo(Duration.ofSeconds(5));
        assertThat(properties.previewTokenSecret()).isNull();
        assertThat(properties.mode()).isEqualTo(RouterProperties.Mode.PROXY);
        assertThat(properties.fly().previewApp()).isNull();
        assertThat(properties.fly().replayState()).isNull();
    }

    @Test
    void flyReplayModeNeedsThePreviewApp() {
        RouterProperties properties = bind(Map.of(
                "velocity.router.mode", "fly-replay",
                "velocity.router.fly.preview-app", "velocity-previews"));

        assertThat(properties.mode()).isEqualTo(RouterProperties.Mode.FLY_REPLAY);
        assertThat(properties.fly().previewApp()).isEqualTo("velocity-previews");
        assertThatThrownBy(() -> bind(Map.of("velocity.router.mode", "fly-replay")))
                .rootCause().hasMessageContaining("velocity.router.fly.preview-app is not set");
        assertThat(violations(Map.of("velocity.router.mode", "fly-replay",
                "velocity.router.fly.preview-app", "Velocity;instance=x")))
                .containsExactly("velocity.router.fly.previewApp: must be a Fly app name (lower-case letters, digits and dashes, at most 63)");
    }

    @Test
    void replayStateIsCheckedAndNeverShown() {
        String state = "0123456789abcdef0123456789abcdef";
        String hostile = "0123456789abcdef0123456789abcdef;instance=x";

        RouterProperties properties = bind(Map.of("velocity.router.fly.replay-state", state));
        assertThat(properties.fly().replayState()).isEqualTo(new Secret(state));
        assertThat(properties).asString().doesNotContain(state);
        assertThat(bind(Map.of("velocity.router.fly.replay-state", "")).fly().replayState()).as("empty is unset").isNull();
        for (String refused : new String[] {"too-short", hostile}) {
            Throwable thrown = catchThrowable(() -> bind(Map.of("velocity.router.fly.replay-state", refused)));
            assertThat(thrown).rootCause().hasMessageContaining("velocity.router.fly.replay-state must be 32 to 256 of");
            for (Throwable cause = thrown; cause != null; cause = cause.getCause()) {
                assertThat(String.valueOf(cause.getMessage())).doesNotContain(refused);
            }
        }
    }

    @Test
    void previewTokenSecretIsCheckedAndNeverShown() {
        String secret = "a-shared-secret-of-at-least-32-bytes";
        String tooShort = "a-secret-of-24-bytes-xyz";

        assertThat(bind(Map.of("velocity.router.preview-token-secret", secret)).previewTokenSecret()).isEqualTo(new Secret(secret));
        assertThat(bind(Map.of("velocity.router.preview-token-secret", secret))).asString().doesNotContain(secret);
        assertThat(bind(Map.of("velocity.router.preview-token-secret", " ")).previewTokenSecret()).as("blank is unset").isNull();
        Throwable refused = catchThrowable(() -> bind(Map.of("velocity.router.preview-token-secret", tooShort)));
        assertThat(refused).rootCause()
                .hasMessageContaining("velocity.router.preview-token-secret must be at least 32 bytes, got 24");
        for (Throwable cause = refused; cause != null; cause = cause.getCause()) {
            assertThat(String.valueOf(cause.getMessage())).doesNotContain(tooShort);
        }
    }

    @Test
    void kafkaStreamsSettingsPassThroughAsTheyAre() {
        RouterProperties properties = bind(Map.of(
                "velocity.router.preview-domain", "Preview.Example.COM",
                "velocity.router.kafka.streams.security.protocol", "SSL",
                "velocity.router.kafka.instance-id", "router-2"));

        assertThat(properties.previewDomain()).isEqualTo("preview.example.com");
        assertThat(properties.kafka().streams()).containsEntry("security.protocol", "SSL");
        assertThat(properties.kafka().instanceId()).isEqualTo("router-2");
    }

    @Test
    void brokenSettingsAreRejectedNamingTheSetting() {
        assertThat(violations(Map.of("velocity.router.max-hold", "0s")))
                .containsExactly("velocity.router.maxHold: must be a positive duration");
        assertThat(violations(Map.of("velocity.router.preview-domain", "preview localhost")))
                .containsExactly("velocity.router.previewDomain: must be a DNS name such as preview.localhost");
        assertThat(violations(Map.of("velocity.router.kafka.instance-id", "a/b", "velocity.router.kafka.bootstrap-servers", " ")))
                .containsExactlyInAnyOrder("velocity.router.kafka.instanceId: must be 1-100 of A-Z a-z 0-9 . _ -",
                        "velocity.router.kafka.bootstrapServers: must not be blank");
    }

    /** Binds as Spring Boot does for a {@code @Validated} properties record. */
    private static RouterProperties bind(Map<String, String> properties) {
        return new Binder(new MapConfigurationPropertySource(properties)).bindOrCreate("velocity.router",
                Bindable.of(RouterProperties.class),
                new ValidationBindHandler(new SpringValidatorAdapter(Validation.buildDefaultValidatorFactory().getValidator())));
    }

    /** The broken constraints as {@code setting: condition}, named as Spring Boot's startup failure report names them. */
    private static List<String> violations(Map<String, String> properties) {
        Throwable thrown = catchThrowable(() -> bind(properties));
        assertThat(thrown).rootCause().isInstanceOf(BindValidationException.class);
        BindValidationException invalid = (BindValidationException) thrown.getCause();
        return invalid.getValidationErrors().getAllErrors().stream()
                .map(error -> (FieldError) error)
                .map(error -> error.getObjectName() + "." + error.getField() + ": " + error.getDefaultMessage())
                .toList();
    }
}
