package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;

import org.apache.kafka.clients.consumer.ConsumerRecord;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.session.SessionId;

/** Reads a command record and refuses one that the codec accepts but that cannot be what it says. */
final class CommandRecords {

    /** Producers' clocks may be a little ahead of ours; a command from further in the future is forged or broken. */
    static final Duration MAX_CLOCK_SKEW = Duration.ofHours(1);

    private CommandRecords() {
    }

    /**
     * @param record a record with a value (one without is a tombstone, not a command)
     * @throws MalformedRecordException saying what is wrong with the record
     */
    static SessionCommand read(ConsumerRecord<byte[], byte[]> record, Instant now) {
        Objects.requireNonNull(record.value(), "a tombstone is not a command");
        if (record.key() == null) {
            throw new MalformedRecordException("session command: the record has no key, expected the session id");
        }
        SessionCommand command = SessionCommandCodec.decode(record.value());
        String key = new String(record.key(), StandardCharsets.UTF_8);
        if (!key.equals(command.sessionId().toString())) {
            throw new MalformedRecordException("session command: key " + SessionId.quote(key)
                    + " is not the command's sessionId " + command.sessionId());
        }
        if (command.issuedAt().isAfter(now.plus(MAX_CLOCK_SKEW))) {
            throw new MalformedRecordException("session command: issuedAt " + command.issuedAt()
                    + " is more than " + MAX_CLOCK_SKEW.toMinutes() + " minutes in the future");
        }
        return command;
    }
}
