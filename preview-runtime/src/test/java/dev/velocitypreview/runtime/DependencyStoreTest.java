package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DependencyStoreTest {

    private static final String LOCKFILE = "{\"name\":\"p\",\"lockfileVersion\":3,\"packages\":{\"\":{\"name\":\"p\"}}}\n";

    @TempDir
    Path temp;

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final RuntimeLog log = new RuntimeLog(new PrintStream(logs, true, StandardCharsets.UTF_8), "s-deps");

    private Path project(String name, String manifest) throws IOException {
        Path project = Files.createDirectories(temp.resolve(name));
        Files.writeString(project.resolve("package.json"), manifest);
        Files.writeString(project.resolve("package-lock.json"), LOCKFILE);
        return project;
    }

    @Test
    void oneLockfileWithOtherInstallScriptsIsAnotherEntry() throws IOException {
        Path plain = project("plain", "{\"name\":\"p\"}\n");
        Path scripted = project("scripted", "{\"name\":\"p\",\"scripts\":{\"postinstall\":\"node steal.js\"}}\n");
        Path same = project("same", "{\"name\":\"p\"}\n");

        assertThat(DependencyStore.key(plain)).isNotEqualTo(DependencyStore.key(scripted)).isEqualTo(DependencyStore.key(same));
    }

    @Test
    void theKeyIsWhatSha256sumOfBothFilesHashesTo() throws Exception {
        Path project = project("p", "{\"name\":\"p\"}\n");

        // the image build computes the templates' keys with these tools, so both must agree
        Process shell = new ProcessBuilder("sh", "-c", "sha256sum package.json package-lock.json | sha256sum | cut -d ' ' -f 1")
                .directory(project.toFile()).redirectErrorStream(true).start();
        String printed = new String(shell.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(shell.waitFor(30, TimeUnit.SECONDS)).isTrue();

        assertThat(DependencyStore.key(project)).isEqualTo(printed);
    }

    @Test
    void openingTheStoreRemovesInstallsOlderThanTheInstallTimeout() throws IOException {
        Path store = Files.createDirectories(temp.resolve("store"));
        Path stale = Files.createDirectories(store.resolve(".install-0123456789ab-1"));
        Files.writeString(stale.resolve("package.json"), "{}");
        Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minus(Duration.ofMinutes(11))));
        Path running = Files.createDirectories(store.resolve(".install-0123456789ab-2"));
        Path entry = Files.createDirectories(store.resolve("0123456789ab"));
        Files.setLastModifiedTime(entry, FileTime.from(Instant.now().minus(Duration.ofDays(30))));

        new DependencyStore(store, "npm", Duration.ofMinutes(10), log).close();

        try (var left = Files.list(store)) {
            assertThat(left.toList()).containsExactlyInAnyOrder(running, entry);
        }
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("session=s-deps msg=\"stale dependency install removed\"");
    }
}
