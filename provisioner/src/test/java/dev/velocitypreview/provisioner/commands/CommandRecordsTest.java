package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CommandRecordsTest {

    private static final Instant NOW = Instant.parse("2026-03-01T10:00:00Z");

    @Test
    void aWellFormedCommandKeyedByItsSessionIsRead() {
        SessionCommand create = create(NOW);

        SessionCommand read = CommandRecords.read(record(create.sessionId().toString(), create), NOW);

        assertThat(read).isEqualTo(create);
    }

    @Test
    void aCommandUnderAnotherSessionsKeyIsRefusedNamingBoth() {
        SessionCommand create = create(NOW);
        String otherKey = UUID.randomUUID().toString();

        assertThatThrownBy(() -> CommandRecords.read(record(otherKey, create), NOW))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining(otherKey)
                .hasMessageContaining(create.sessionId().toString());
    }

    @Test
    void aCommandIssuedHoursInTheFutureIsRefused() {
        SessionCommand create = create(NOW.plusSeconds(3 * 3600));

        assertThatThrownBy(() -> CommandRecords.read(record(create.sessionId().toString(), create), NOW))
                .isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("in the future");
    }

    @Test
    void garbageBytesAreRefused() {
        ConsumerRecord<byte[], byte[]> garbage = new ConsumerRecord<>("t", 0, 0,
                UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8), new byte[] {(byte) 0xff, 0x00, 0x7b});

        assertThatThrownBy(() -> CommandRecords.read(garbage, NOW)).isInstanceOf(MalformedRecordException.class);
    }

    @Test
    void aRecordWithoutKeyIsRefused() {
        SessionCommand create = create(NOW);
        ConsumerRecord<byte[], byte[]> noKey = new ConsumerRecord<>("t", 0, 0, null, SessionCommandCodec.encode(create));

        assertThatThrownBy(() -> CommandRecords.read(noKey, NOW)).isInstanceOf(MalformedRecordException.class)
                .hasMessageContaining("no key");
    }

    private static SessionCommand create(Instant issuedAt) {
        return SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), "react", Tier.FREE, Visibility.PUBLIC, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10),
                issuedAt);
    }

    private static ConsumerRecord<byte[], byte[]> record(String key, SessionCommand command) {
        return new ConsumerRecord<>("t", 0, 0, key.getBytes(StandardCharsets.UTF_8), SessionCommandCodec.encode(command));
    }
}
