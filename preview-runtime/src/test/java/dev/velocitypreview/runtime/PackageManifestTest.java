package dev.velocitypreview.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class PackageManifestTest {

    @TempDir
    Path project;

    @Test
    void theDevScriptIsTheCommandTheRuntimeRuns() throws IOException {
        Files.writeString(project.resolve("package.json"),
                "{\"name\":\"x\",\"scripts\":{\"build\":\"vite build\",\"dev\":\"vite --strictPort\"},\"private\":true}");

        assertThat(PackageManifest.devScript(project)).contains("vite --strictPort");
    }

    @Test
    void aBlankOrMissingDevScriptOrNoManifestMeansAStaticProject() throws IOException {
        assertThat(PackageManifest.devScript(project)).isEmpty();
        Files.writeString(project.resolve("package.json"), "{\"scripts\":{\"dev\":\"  \",\"start\":\"node .\"}}");
        assertThat(PackageManifest.devScript(project)).isEmpty();
        Files.writeString(project.resolve("package.json"), "{\"scripts\":{\"dev\":[\"vite\"]}}");
        assertThat(PackageManifest.devScript(project)).isEmpty();
    }

    @Test
    void aManifestThatIsNotAnObjectIsRefusedWithTheReason() throws IOException {
        Files.writeString(project.resolve("package.json"), "[\"dev\"]");

        assertThatThrownBy(() -> PackageManifest.devScript(project)).isInstanceOf(IOException.class)
                .hasMessageContaining("not a JSON object");
    }
}
