package dev.velocitypreview.core.command;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SessionCommandCodecTest {

    @Test
    void aCommandSurvivesTheRoundTrip() {
        SessionCommand create = SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), Tier.PRO,
                Instant.parse("2026-11-24T03:00:00Z"));
        assertThat(SessionCommandCodec.decode(SessionCommandCodec.encode(create))).isEqualTo(create);
    }

    @Test
    void aPrivateCreateWithATtlSurvivesTheRoundTrip() {
        SessionCommand create = SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), Tier.FREE,
                dev.velocitypreview.core.session.Visibility.PRIVATE, java.time.Duration.ofMinutes(20),
                Instant.parse("2026-11-24T03:00:00Z"));
        assertThat(SessionCommandCodec.decode(SessionCommandCodec.encode(create))).isEqualTo(create);
    }

    @Test
    void theGrantedMachineAndIdleTimeoutSurviveTheRoundTrip() {
        SessionCommand create = SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), Tier.TEAM,
                Visibility.PUBLIC, Duration.ofHours(8), new MachineSize("performance", 2, 4096), Duration.ofMinutes(60),
                Instant.parse("2026-11-24T03:00:00Z"));
        byte[] json = SessionCommandCodec.encode(create);
        assertThat(new String(json, StandardCharsets.UTF_8))
                .contains("\"machine\":\"performance-cpu-2x:4096MB\"", "\"idleTimeout\":\"PT1H\"");
        assertThat(SessionCommandCodec.decode(json)).isEqualTo(create);
    }

    @Test
    void aMachineSizeFlyCannotAllocateIsRefusedByField() {
        String json = ("{\"commandId\":\"%s\",\"type\":\"CREATE\",\"sessionId\":\"%s\",\"userId\":\"u\","
                + "\"projectId\":\"%s\",\"tier\":\"free\",\"machine\":\"shared-cpu-1x:300MB\","
                + "\"issuedAt\":\"2026-11-24T03:00:00Z\"}").formatted(UUID.randomUUID(), UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> decode(json)).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("machine").hasMessageContaining("multiple of 256");
        assertThatThrownBy(() -> decode(json.replace("shared-cpu-1x:300MB", "huge")))
                .hasMessageContaining("machine size must look like shared-cpu-1x:256MB");
    }

    @Test
    void unknownFieldsAreRefusedByName() {
        assertThatThrownBy(() -> decode("{\"commandId\":\"" + UUID.randomUUID() + "\",\"surprise\":1}"))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessage("session command: unknown field 'surprise'");
    }

    @Test
    void anUnknownCommandTypeIsRefused() {
        String json = "{\"commandId\":\"%s\",\"type\":\"EXPLODE\",\"sessionId\":\"%s\",\"userId\":\"u\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> decode(json)).hasMessageContaining("type: unknown command type");
    }

    @Test
    void aCreateWithoutProjectIsRefused() {
        String json = "{\"commandId\":\"%s\",\"type\":\"CREATE\",\"sessionId\":\"%s\",\"userId\":\"u\",\"tier\":\"free\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), UUID.randomUUID());
        assertThatThrownBy(() -> decode(json)).hasMessage("session command: projectId is required for CREATE");
    }

    @Test
    void garbageIsRefusedAsNotJson() {
        assertThatThrownBy(() -> SessionCommandCodec.decode(new byte[] {(byte) 0xff, 0x00, 0x13}))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageStartingWith("session command: not valid JSON");
    }

    @Test
    void aNonUuidSessionIdIsRefusedWithoutEchoingItWhole() {
        String json = "{\"commandId\":\"%s\",\"type\":\"CREATE\",\"sessionId\":\"%s\",\"userId\":\"u\",\"issuedAt\":\"2026-11-24T03:00:00Z\"}"
                .formatted(UUID.randomUUID(), "x".repeat(500));
        assertThatThrownBy(() -> decode(json)).hasMessageContaining("sessionId must be a UUID").hasMessageContaining("…");
    }

    private static SessionCommand decode(String json) {
        return SessionCommandCodec.decode(json.getBytes(StandardCharsets.UTF_8));
    }
}
