package dev.velocitypreview.machines.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class LocalMachinesSettingsTest {

    @Test
    void defaultsRunMachinesWithThisJvmsJavaAndOnlyTheRuntimesJars() {
        LocalMachinesSettings settings = LocalMachinesSettings.defaults(Path.of("machines"));

        assertThat(settings.root()).isAbsolute();
        assertThat(settings.javaCommand()).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(settings.classpath().split(java.io.File.pathSeparator))
                .hasSize(3)
                .anyMatch(entry -> entry.contains("preview-runtime"))
                .anyMatch(entry -> entry.contains("platform-core"))
                .anyMatch(entry -> entry.contains("jackson-core"));
        assertThat(settings.jvmOptions()).containsExactly("-Xss512k", "-Xmx64m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto", "-XX:-UsePerfData");
        assertThat(settings.healthPollInterval()).isEqualTo(Duration.ofMillis(25));
        assertThat(settings.stopMachinesOnClose()).isFalse();
    }

    @Test
    void brokenSettingsAreRefusedByTheDriverNamingTheSetting() {
        assertThatThrownBy(() -> new LocalMachinesSettings(null, null, null, null, null, null, null, false))
                .hasMessage("root == null");
        assertThatThrownBy(() -> new LocalProcessDriver(
                new LocalMachinesSettings(Path.of("m"), null, null, null, Duration.ZERO, null, null, false)))
                .hasMessage("readyTimeout must be a positive duration");
        assertThatThrownBy(() -> new LocalProcessDriver(
                new LocalMachinesSettings(Path.of("m"), null, " ", null, null, null, Duration.ofSeconds(-1), false)))
                .hasMessage("classpath must not be blank; stopGrace must be a positive duration");
    }
}
