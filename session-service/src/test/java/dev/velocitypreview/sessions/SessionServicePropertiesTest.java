package dev.velocitypreview.sessions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.time.Duration;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;
import org.springframework.util.unit.DataSize;

class SessionServicePropertiesTest {

    private static SessionServiceProperties bind(Map<String, String> settings) {
        return new Binder(new MapConfigurationPropertySource(settings))
                .bindOrCreate("velocity.session-service", SessionServiceProperties.class);
    }

    @Test
    void defaultsServeTheEmbeddedSetup() {
        SessionServiceProperties properties = bind(Map.of());

        assertThat(properties.kafka().bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(properties.kafka().producer()).isEmpty();
        assertThat(properties.kafka().createTopics()).isTrue();
        assertThat(properties.directory().applicationId()).isEqualTo("velocity-session-service");
        assertThat(properties.previewBaseUrl()).isEqualTo(URI.create("http://localhost:8081"));
        assertThat(properties.publicBaseUrl()).isEqualTo(URI.create("http://localhost:8080"));
        assertThat(properties.unknownSessionGrace()).isEqualTo(Duration.ofSeconds(2));
        assertThat(properties.maxRequestBody()).isEqualTo(DataSize.ofKilobytes(16));
        assertThat(properties.sendTimeout()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void previewBaseThatIsNotAnHttpUrlIsRefusedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("velocity.session-service.preview-base-url", "localhost:8081")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("preview-base-url must be an absolute http(s) URL");
    }

    @Test
    void zeroSendTimeoutIsRefusedAtStartup() {
        assertThatThrownBy(() -> bind(Map.of("velocity.session-service.send-timeout", "0s")))
                .isInstanceOf(BindException.class)
                .rootCause().hasMessageContaining("send-timeout must be at least 1ms");
    }
}
