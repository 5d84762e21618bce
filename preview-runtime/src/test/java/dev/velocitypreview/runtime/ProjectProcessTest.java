package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the project's own processes (untrusted code) get of the runtime's environment. */
class ProjectProcessTest {

    @TempDir
    Path temp;

    @Test
    void theRuntimesSecretsAndSyncEndpointStayOutOfTheProjectsProcesses() throws Exception {
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        RuntimeLog log = new RuntimeLog(new PrintStream(logs, true, StandardCharsets.UTF_8), "s-env");
        Map<String, String> runtimeEnvironment = Map.of("PATH", System.getenv("PATH"), "HOME", temp.toString(),
                "PREVIEW_SYNC_URL", "http://10.0.0.2:8080/machine/v1/sessions/s-env/sync",
                "PREVIEW_SYNC_TOKEN", "v1.sync-token-secret", "PREVIEW_REPLAY_STATE", "replay-state-secret");

        try (ProjectProcess env = new ProjectProcess(List.of("env"), temp, runtimeEnvironment, Map.of("PORT", "5173"),
                "dev server", log)) {
            assertThat(env.awaitExit(Duration.ofSeconds(30))).isZero();
        }

        String output = logs.toString(StandardCharsets.UTF_8);
        assertThat(output).contains("line=\"PORT=5173\"", "line=\"HOME=" + temp + "\"")
                .doesNotContain("PREVIEW_", "sync-token-secret", "replay-state-secret", "/machine/v1/sessions");
    }
}
