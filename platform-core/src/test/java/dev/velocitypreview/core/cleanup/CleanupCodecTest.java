package dev.velocitypreview.core.cleanup;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.activity.SessionActivity;
import dev.velocitypreview.core.activity.SessionActivityCodec;
import dev.velocitypreview.core.json.MalformedRecordException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CleanupCodecTest {

    private static final Instant NOW = Instant.parse("2026-12-01T12:00:00Z");

    @Test
    void reportsAndRequestsSurviveTheRoundTrip() {
        CleanupReport report = new CleanupReport(3, 1, 2, 3, 4, 5, 6, 1, "machine list refused", NOW);
        assertThat(CleanupCodec.decodeReport(CleanupCodec.encodeReport(report))).isEqualTo(report);
        CleanupRequest request = new CleanupRequest(NOW);
        assertThat(CleanupCodec.decodeRequest(CleanupCodec.encodeRequest(request))).isEqualTo(request);
        SessionActivity activity = new SessionActivity(UUID.randomUUID(), NOW);
        assertThat(SessionActivityCodec.decode(SessionActivityCodec.encode(activity))).isEqualTo(activity);
    }

    @Test
    void reportsOfEveryPartitionAddUp() {
        CleanupReport first = new CleanupReport(1, 1, 0, 0, 2, 0, 0, 0, null, NOW);
        CleanupReport second = new CleanupReport(1, 2, 1, 0, 0, 1, 3, 1, "refused", NOW.plusSeconds(1));

        CleanupReport total = CleanupReport.empty(NOW).plus(first).plus(second);

        assertThat(total).isEqualTo(new CleanupReport(2, 3, 1, 0, 2, 1, 3, 1, "refused", NOW.plusSeconds(1)));
    }

    @Test
    void anActivityWithoutItsSessionOrTimeIsRefused() {
        assertThatThrownBy(() -> SessionActivityCodec.decode("{\"seenAt\":\"2026-12-01T12:00:00Z\"}"
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("sessionId is required");
        assertThatThrownBy(() -> SessionActivityCodec.decode(("{\"sessionId\":\"" + UUID.randomUUID() + "\"}")
                .getBytes(StandardCharsets.UTF_8))).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("seenAt is required");
    }
}
