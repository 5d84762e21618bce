package dev.velocitypreview.cdc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.retry.Backoff;

class ChangelogRelaySettingsTest {

    private static final String URL = "jdbc:postgresql://localhost:5432/previews";

    @Test
    void defaultsAreTheDocumentedOnes() {
        ChangelogRelaySettings settings = ChangelogRelaySettings.builder(URL, "velocity", "secret").build();

        assertThat(settings.bootstrapServers()).isEqualTo("localhost:9092");
        assertThat(settings.slotName()).isEqualTo("velocity_preview");
        assertThat(settings.publicationName()).isEqualTo("velocity_preview_pub");
        assertThat(settings.tables()).containsExactly("public.preview_sessions", "public.project_files");
        assertThat(settings.pollInterval()).isEqualTo(Duration.ofMillis(10));
        assertThat(settings.heartbeatInterval()).isEqualTo(Duration.ofSeconds(10));
        assertThat(settings.offsetFlushInterval()).isEqualTo(Duration.ofSeconds(1));
        assertThat(settings.sessionsTopicPartitions()).isEqualTo(6);
        assertThat(settings.projectFilesTopicPartitions()).isEqualTo(6);
        assertThat(settings.projectFilesRetention()).isEqualTo(Duration.ofDays(1));
        assertThat(settings.offsetsTopicPartitions()).isEqualTo(1);
        assertThat(settings.replicationFactor()).isEqualTo((short) 1);
        assertThat(settings.lockKey()).isEqualTo(ChangelogRelaySettings.DEFAULT_LOCK_KEY);
        assertThat(settings.restartBackoff()).isEqualTo(new Backoff(Duration.ofSeconds(1), Duration.ofSeconds(30)));
    }

    @Test
    void toBuilderKeepsEveryFieldNotChanged() {
        ChangelogRelaySettings settings = ChangelogRelaySettings.builder(URL, "velocity", "secret")
                .slotName("relay_a").producerOverrides(Map.of("compression.type", "lz4")).build();

        ChangelogRelaySettings copy = settings.toBuilder().pollInterval(Duration.ofMillis(50)).build();

        assertThat(copy).isEqualTo(new ChangelogRelaySettings(settings.jdbcUrl(), settings.username(),
                settings.password(), settings.bootstrapServers(), settings.slotName(), settings.publicationName(),
                settings.tables(), Duration.ofMillis(50), settings.heartbeatInterval(), settings.offsetFlushInterval(),
                settings.sessionsTopicPartitions(), settings.projectFilesTopicPartitions(),
                settings.projectFilesRetention(), settings.offsetsTopicPartitions(), settings.replicationFactor(),
                settings.sendTimeout(), settings.lockKey(), settings.standbyRetry(), settings.lockCheckInterval(),
                settings.restartBackoff(), settings.producerOverrides(),
                settings.engineOverrides()));
    }

    @Test
    void passwordNeverShowsInToString() {
        ChangelogRelaySettings settings = ChangelogRelaySettings.builder(URL, "velocity", "s3cr3t-pw")
                .engineOverrides(Map.of("database.sslpassword", "other-secret")).build();

        assertThat(settings.toString()).doesNotContain("s3cr3t-pw").doesNotContain("other-secret")
                .contains("password=" + Secret.MASK);
    }

    @Test
    void slotNameThatPostgresWouldRefuseIsRejectedUpFront() {
        assertThatThrownBy(() -> ChangelogRelaySettings.builder(URL, "velocity", "").slotName("Relay-A").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("slotName must be 1-63 lower-case letters");
    }

    @Test
    void tableWithoutSchemaIsRejected() {
        assertThatThrownBy(() -> ChangelogRelaySettings.builder(URL, "velocity", "")
                .tables(List.of("preview_sessions")).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("tables[0].<list element> must be a schema.table name");
    }

    @Test
    void zeroPollIntervalIsRejected() {
        assertThatThrownBy(() -> ChangelogRelaySettings.builder(URL, "velocity", "")
                .pollInterval(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("pollInterval must be a positive duration");
    }

    @Test
    void everyBrokenSettingIsNamedWithItsCondition() {
        assertThatThrownBy(() -> ChangelogRelaySettings.builder(URL, " ", "")
                .sessionsTopicPartitions(0).sendTimeout(Duration.ofSeconds(-1)).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("sendTimeout must be a positive duration; sessionsTopicPartitions must be greater than or "
                        + "equal to 1; username must not be blank");
    }

    @Test
    void unreadableJdbcUrlIsRejectedWhenSettingsAreBuilt() {
        assertThatThrownBy(() -> ChangelogRelaySettings.builder("jdbc:postgresql://a,b/db", "velocity", "").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("single host");
    }
}
