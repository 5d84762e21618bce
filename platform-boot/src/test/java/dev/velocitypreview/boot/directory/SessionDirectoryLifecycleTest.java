package dev.velocitypreview.boot.directory;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.stream.Stream;

import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.streams.StreamsConfig;
import org.junit.jupiter.api.Test;
import org.springframework.boot.kafka.autoconfigure.KafkaProperties;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.health.contributor.Status;

class SessionDirectoryLifecycleTest {

    private static final Map<String, String> NO_BROKER = Map.of(
            // never started, but its admin client would still try the (absent) broker every second
            StreamsConfig.adminClientPrefix("reconnect.backoff.ms"), "3600000",
            StreamsConfig.adminClientPrefix("reconnect.backoff.max.ms"), "3600000");

    @Test
    void typedSettingsComeFirstAndRawStreamsSettingsOverrideThem(@TempDir Path stateDir) {
        DirectoryHosting hosting = new DirectoryHosting("test", "velocity-test", null, "kafka:9092", stateDir,
                Map.of(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "other:9093", "security.protocol", "SSL"), false);

        Properties config = SessionDirectoryLifecycle.streamsConfig(new KafkaProperties(), hosting, "a1", stateDir);

        assertThat(config.getProperty(StreamsConfig.APPLICATION_ID_CONFIG)).isEqualTo("velocity-test-a1");
        assertThat(config.getProperty(StreamsConfig.STATE_DIR_CONFIG)).isEqualTo(stateDir.toString());
        assertThat(config.getProperty(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG)).as("the raw setting wins")
                .isEqualTo("other:9093");
        assertThat(config.getProperty("security.protocol")).isEqualTo("SSL");
    }

    @Test
    void topicsAreCheckedWithTheDirectorysConnectionSettings(@TempDir Path stateDir) {
        Properties streams = new Properties();
        streams.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092");
        streams.put("security.protocol", "SSL");
        streams.put(StreamsConfig.APPLICATION_ID_CONFIG, "velocity-test-a1");
        streams.put(StreamsConfig.CLIENT_ID_CONFIG, "streams-client");

        Map<String, Object> admin = SessionDirectoryLifecycle.adminConfig("test", streams);

        assertThat(admin).containsEntry(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, "kafka:9092")
                .containsEntry("security.protocol", "SSL")
                .containsEntry(AdminClientConfig.CLIENT_ID_CONFIG, "test-session-directory-topics")
                .doesNotContainKey(StreamsConfig.APPLICATION_ID_CONFIG);
    }

    @Test
    void aTemporaryStateDirectoryIsRemovedOnStop() throws Exception {
        String service = "lifecycle-test-" + UUID.randomUUID();
        SessionDirectoryLifecycle lifecycle = SessionDirectoryLifecycle.create(new KafkaProperties(), new DirectoryHosting(service,
                "velocity-test", "t1", "127.0.0.1:9", null, NO_BROKER, false));
        assertThat(temporaryDirectoriesOf(service)).hasSize(1);

        lifecycle.stop();

        assertThat(temporaryDirectoriesOf(service)).isEmpty();
    }

    private static List<Path> temporaryDirectoriesOf(String service) throws IOException {
        try (Stream<Path> all = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
            return all.filter(path -> path.getFileName().toString().startsWith("velocity-" + service + "-")).toList();
        }
    }

    @Test
    void aDirectoryStillLoadingIsOutOfServiceNotDown(@TempDir Path stateDir) {
        SessionDirectoryLifecycle lifecycle = SessionDirectoryLifecycle.create(new KafkaProperties(), new DirectoryHosting("test",
                "velocity-test", "t2", "127.0.0.1:9", stateDir, NO_BROKER, false));
        try {
            var health = new SessionDirectoryHealthIndicator(lifecycle.directory()).health();

            assertThat(health.getStatus()).isEqualTo(Status.OUT_OF_SERVICE);
            assertThat(health.getDetails()).containsEntry("state", "CREATED").containsEntry("reason",
                    "still loading sessions");
        } finally {
            lifecycle.stop();
        }
        assertThat(stateDir).as("a state directory of the operator's stays").isDirectory();
    }
}
