package dev.velocitypreview.core.config;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class SecretTest {

    private record Settings(String user, Secret password) {
    }

    @Test
    void aRecordHoldingASecretPrintsItMasked() {
        Settings settings = new Settings("velocity", new Secret("s3cr3t-pw"));

        assertThat(settings.toString()).isEqualTo("Settings[user=velocity, password=******]")
                .doesNotContain("s3cr3t-pw");
        assertThat(settings.password().value()).isEqualTo("s3cr3t-pw");
    }

    @Test
    void lengthIsCountedInUtf8Bytes() {
        assertThat(new Secret("ü").utf8Length()).isEqualTo(2);
        assertThat(new Secret(" ").isBlank()).isTrue();
    }
}
