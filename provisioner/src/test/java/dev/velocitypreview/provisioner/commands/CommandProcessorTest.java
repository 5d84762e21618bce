package dev.velocitypreview.provisioner.commands;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.assertj.core.api.Assertions.assertThat;

class CommandProcessorTest {

    private final MockProducer<byte[], byte[]> deadLetterTopic =
            new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();

    @Test
    void aCommandIsKeptAndRetriedWhileTheDatabaseIsUnreachableNeverDeadLettered() {
        AtomicInteger attempts = new AtomicInteger();
        CommandHandler handler = command -> {
            if (attempts.incrementAndGet() < 3) {
                throw new CannotGetJdbcConnectionException("connection refused");
            }
            return CommandHandler.Outcome.APPLIED;
        };

        processor(handler).process(record(create()));

        assertThat(attempts).hasValue(3);
        assertThat(deadLetterTopic.history()).isEmpty();
        assertThat(meters.counter("velocity.provisioner.commands", "type", "CREATE", "outcome", "applied").count())
                .isEqualTo(1.0);
    }

    @Test
    void aCommandThatFailsForAnyOtherReasonIsDeadLetteredWithTheReason() {
        CommandHandler handler = command -> {
            throw new IllegalStateException("session cannot move from ACTIVE to PROVISIONING");
        };

        processor(handler).process(record(create()));

        assertThat(deadLetterTopic.history()).hasSize(1);
        assertThat(deadLetterTopic.history().get(0).topic()).isEqualTo(Topics.SESSION_COMMANDS_DLT.name());
        assertThat(new String(deadLetterTopic.history().get(0).headers().lastHeader(KafkaHeaders.DLT_EXCEPTION_MESSAGE)
                .value())).isEqualTo("session cannot move from ACTIVE to PROVISIONING");
    }

    @Test
    void onlyConnectionTroubleCountsAsTheDatabaseBeingUnavailable() {
        assertThat(CommandHandler.isDatabaseUnavailable(new RuntimeException(
                new java.sql.SQLException("terminating connection", "57P01")))).isTrue();
        assertThat(CommandHandler.isDatabaseUnavailable(new RuntimeException(
                new java.sql.SQLException("connection refused", "08001")))).isTrue();
        assertThat(CommandHandler.isDatabaseUnavailable(new RuntimeException(
                new java.sql.SQLException("duplicate key", "23505")))).isFalse();
    }

    private CommandProcessor processor(CommandHandler handler) {
        return new CommandProcessor(handler, new DeadLetters(new KafkaTemplate<>(new MockProducerFactory<>(() -> deadLetterTopic)), "provisioner",
                Duration.ofSeconds(5)), Clock.systemUTC(),
                meters);
    }

    private static SessionCommand create() {
        return SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), Tier.FREE, Instant.now());
    }

    private static ConsumerRecord<byte[], byte[]> record(SessionCommand command) {
        return new ConsumerRecord<>(Topics.SESSION_COMMANDS.name(), 0, 7L, command.sessionId().toString().getBytes(),
                SessionCommandCodec.encode(command));
    }
}
