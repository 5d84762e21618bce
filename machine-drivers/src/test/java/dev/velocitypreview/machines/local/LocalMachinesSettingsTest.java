package dev.velocitypreview.machines.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;

import org.junit.jupiter.api.Test;

class LocalMachinesSettingsTest {

    @Test
    void defaultsRunMachinesWithThisJvmsJavaAndClasspath() {
        LocalMachinesSettings settings = LocalMachinesSettings.defaults(Path.of("machines"));

        assertThat(settings.root()).isAbsolute();
        assertThat(settings.javaCommand()).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        assertThat(settings.classpath()).isEqualTo(System.getProperty("java.class.path"));
        assertThat(settings.jvmOptions()).containsExactly("-Xss512k", "-Xmx64m", "-XX:+UseSerialGC",
                "-XX:TieredStopAtLevel=1", "-Xshare:auto");
        assertThat(settings.healthPollInterval()).isEqualTo(Duration.ofMillis(25));
        assertThat(settings.stopMachinesOnClose()).isFalse();
    }

    @Test
    void brokenSettingsAreRefusedNamingTheSetting() {
        assertThatThrownBy(() -> new LocalMachinesSettings(null, null, null, null, null, null, null, false))
                .hasMessage("root == null");
        assertThatThrownBy(() -> new LocalMachinesSettings(Path.of("m"), null, null, null, Duration.ZERO, null, null, false))
                .hasMessage("readyTimeout must be positive, got PT0S");
        assertThatThrownBy(() -> new LocalMachinesSettings(Path.of("m"), null, " ", null, null, null, null, false))
                .hasMessage("classpath must not be blank");
    }
}
