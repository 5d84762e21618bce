package dev.velocitypreview.launcher;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class PlatformSecretsTest {

    @TempDir
    Path dataDir;

    @Test
    void secretsAreCreatedOnceAndReadBackOnTheNextStart() throws IOException {
        PlatformSecrets created = PlatformSecrets.loadOrCreate(dataDir);

        assertThat(PlatformSecrets.loadOrCreate(dataDir)).isEqualTo(created);
        assertThat(created.syncSecret()).isNotIn(created.apiTokenSecret(), created.previewTokenSecret());
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(dataDir.resolve(PlatformSecrets.FILE))))
                .isEqualTo("rw-------");
    }

    @Test
    void aDataDirectoryFromBeforeLiveEditsKeepsItsTokenKeysAndGainsASyncSecret() throws IOException {
        Files.writeString(dataDir.resolve(PlatformSecrets.FILE), "api-token-secret=api\npreview-token-secret=preview\n");

        PlatformSecrets upgraded = PlatformSecrets.loadOrCreate(dataDir);

        assertThat(upgraded.apiTokenSecret().value()).isEqualTo("api");
        assertThat(upgraded.previewTokenSecret().value()).isEqualTo("preview");
        assertThat(upgraded.syncSecret().value()).hasSizeGreaterThan(32);
        assertThat(PlatformSecrets.loadOrCreate(dataDir)).as("the sync secret is kept for the next start").isEqualTo(upgraded);
    }
}
