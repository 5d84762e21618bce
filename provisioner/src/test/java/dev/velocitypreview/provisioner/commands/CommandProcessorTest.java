package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.stream.Stream;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.springframework.jdbc.CannotGetJdbcConnectionException;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.mock.MockProducerFactory;
import org.springframework.kafka.support.KafkaHeaders;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
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
        CommandHandler handler = creating(() -> {
            if (attempts.incrementAndGet() < 3) {
                throw new CannotGetJdbcConnectionException("connection refused");
            }
            return CommandHandler.Outcome.APPLIED;
        });

        processor(handler).process(record(create()));

        assertThat(attempts).hasValue(3);
        assertThat(deadLetterTopic.history()).isEmpty();
        assertThat(meters.counter("velocity.provisioner.commands", "type", "CREATE", "outcome", "applied").count())
                .isEqualTo(1.0);
    }

    @Test
    void aCommandThatFailsForAnyOtherReasonIsDeadLetteredWithTheReason() {
        CommandHandler handler = creating(() -> {
            throw new IllegalStateException("session cannot move from ACTIVE to PROVISIONING");
        });

        processor(handler).process(record(create()));

        assertThat(deadLetterTopic.history()).hasSize(1);
        assertThat(deadLetterTopic.history().get(0).topic()).isEqualTo(Topics.SESSION_COMMANDS_DLT.name());
        assertThat(new String(deadLetterTopic.history().get(0).headers().lastHeader(KafkaHeaders.DLT_EXCEPTION_MESSAGE)
                .value())).isEqualTo("session cannot move from ACTIVE to PROVISIONING");
    }

    @ParameterizedTest
    @MethodSource("notHandledYet")
    void aKindOfCommandThisProvisionerDoesNotHandleIsDeadLetteredNamingItAndNeverApplied(SessionCommand command) {
        AtomicInteger handled = new AtomicInteger();
        CommandHandler handler = creating(() -> {
            handled.incrementAndGet();
            return CommandHandler.Outcome.APPLIED;
        });
        ConsumerRecord<byte[], byte[]> record = record(command);

        processor(handler).process(record);

        assertThat(handled).as("nothing reached the handler").hasValue(0);
        String kind = command.type().name().toLowerCase(java.util.Locale.ROOT);
        assertThat(deadLetterTopic.history()).singleElement().satisfies(letter -> {
            assertThat(letter.value()).as("set aside byte for byte").isEqualTo(record.value());
            assertThat(new String(letter.headers().lastHeader(KafkaHeaders.DLT_EXCEPTION_MESSAGE).value(),
                    StandardCharsets.UTF_8)).isEqualTo(kind + " is not handled by this provisioner");
        });
        assertThat(meters.counter("velocity.provisioner.commands", "type", command.type().name(), "outcome",
                "dead_lettered").count()).isEqualTo(1.0);
    }

    static Stream<SessionCommand> notHandledYet() {
        UUID session = UUID.randomUUID();
        Instant now = Instant.now();
        return Stream.of(SessionCommand.extend(session, "user-1", now.plusSeconds(60), now),
                SessionCommand.suspend(session, "user-1", now), SessionCommand.resume(session, "user-1", now));
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

    /** A handler whose creates do {@code onCreate}; a terminate would fail the test. */
    private static CommandHandler creating(Supplier<CommandHandler.Outcome> onCreate) {
        return new CommandHandler() {
            @Override
            public Outcome create(SessionCommand.Create command) {
                return onCreate.get();
            }

            @Override
            public Outcome terminate(SessionCommand.Terminate command) {
                throw new AssertionError("no terminate was sent");
            }
        };
    }

    private static SessionCommand create() {
        return SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), Tier.FREE, Visibility.PUBLIC,
                Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }

    private static ConsumerRecord<byte[], byte[]> record(SessionCommand command) {
        return new ConsumerRecord<>(Topics.SESSION_COMMANDS.name(), 0, 7L, command.sessionId().toString().getBytes(),
                SessionCommandCodec.encode(command));
    }
}
