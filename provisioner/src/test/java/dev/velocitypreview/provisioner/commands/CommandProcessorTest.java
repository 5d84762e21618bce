package dev.velocitypreview.provisioner.commands;

import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
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
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.provisioner.commands.CommandHandler.Outcome;
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
    @MethodSource("everyKind")
    void everyKindOfCommandReachesItsOwnHandlerMethodAndIsCountedWithItsOutcome(SessionCommand command) {
        List<SessionCommand> handled = new ArrayList<>();
        CommandHandler handler = recording(handled, CommandHandler.Outcome.REFUSED);

        processor(handler).process(record(command));

        assertThat(handled).containsExactly(command);
        assertThat(deadLetterTopic.history()).isEmpty();
        assertThat(meters.counter("velocity.provisioner.commands", "type", command.type().name(), "outcome",
                "refused").count()).isEqualTo(1.0);
    }

    static Stream<SessionCommand> everyKind() {
        UUID session = UUID.randomUUID();
        Instant now = Instant.now();
        Stream<SessionCommand> kinds = Stream.of(create(),
                SessionCommand.terminate(session, "user-1", TerminationReason.IDLE, now),
                SessionCommand.extend(session, "user-1", now.plusSeconds(60), now),
                SessionCommand.suspend(session, "user-1", now), SessionCommand.resume(session, "user-1", now),
                SessionCommand.reapMachine(session, null, "local-0123456789ab", now),
                SessionCommand.machineLost(session, "user-1", "local-0123456789ab", now),
                SessionCommand.purge(session, "user-1", now));
        List<SessionCommand> all = kinds.toList();
        assertThat(all).extracting(SessionCommand::type).containsExactlyInAnyOrder(SessionCommand.Type.values());
        return all.stream();
    }

    @Test
    void aTombstoneIsSkippedAndCountedNeverDeadLettered() {
        List<SessionCommand> handled = new ArrayList<>();
        ConsumerRecord<byte[], byte[]> tombstone = new ConsumerRecord<>(Topics.SESSION_COMMANDS.name(), 0, 8L,
                UUID.randomUUID().toString().getBytes(StandardCharsets.UTF_8), null);

        processor(recording(handled, CommandHandler.Outcome.APPLIED)).process(tombstone);

        assertThat(handled).isEmpty();
        assertThat(deadLetterTopic.history()).isEmpty();
        assertThat(meters.counter("velocity.provisioner.commands.tombstones").count()).isEqualTo(1.0);
        assertThat(meters.counter("velocity.provisioner.commands.dead-lettered").count()).isZero();
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

    /** A handler whose creates do {@code onCreate}; any other kind would fail the test. */
    private static CommandHandler creating(Supplier<CommandHandler.Outcome> onCreate) {
        return new RecordingHandler(command -> {
            if (!(command instanceof SessionCommand.Create)) {
                throw new AssertionError("no " + command.type() + " was sent");
            }
            return onCreate.get();
        });
    }

    /** A handler that records each command it is given and answers {@code outcome}. */
    private static CommandHandler recording(List<SessionCommand> handled, CommandHandler.Outcome outcome) {
        return new RecordingHandler(command -> {
            handled.add(command);
            return outcome;
        });
    }

    /** Every method of the handler, one function behind them. */
    private record RecordingHandler(Function<SessionCommand, Outcome> onCommand) implements CommandHandler {
        @Override
        public Outcome create(SessionCommand.Create command) {
            return onCommand.apply(command);
        }

        @Override
        public Outcome terminate(SessionCommand.Terminate command) {
            return onCommand.apply(command);
        }

        @Override
        public Outcome extend(SessionCommand.Extend command) {
            return onCommand.apply(command);
        }

        @Override
        public Outcome suspend(SessionCommand.Suspend command) {
            return onCommand.apply(command);
        }

        @Override
        public Outcome resume(SessionCommand.Resume command) {
            return onCommand.apply(command);
        }

        @Override
        public Outcome reapMachine(SessionCommand.ReapMachine command) {
            return onCommand.apply(command);
        }

        @Override
        public Outcome machineLost(SessionCommand.MachineLost command) {
            return onCommand.apply(command);
        }

        @Override
        public Outcome purge(SessionCommand.Purge command) {
            return onCommand.apply(command);
        }
    }

    private static SessionCommand create() {
        return SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), "react", Tier.FREE, Visibility.PUBLIC,
                Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }

    private static ConsumerRecord<byte[], byte[]> record(SessionCommand command) {
        return new ConsumerRecord<>(Topics.SESSION_COMMANDS.name(), 0, 7L, command.sessionId().toString().getBytes(),
                SessionCommandCodec.encode(command));
    }
}
