package dev.velocitypreview.provisioner.commands;

import java.time.Clock;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.retry.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** Reads a record, applies its command, and dead-letters what cannot be read or applied. */
final class CommandProcessor implements CommandDispatcher.RecordProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    /** How long a command waits for the database to come back: from about half a second up to 30 s between tries. */
    static final Backoff DATABASE_OUTAGE = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final CommandHandler handler;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Counter deadLettered;

    CommandProcessor(CommandHandler handler, DeadLetters deadLetters, Clock clock, MeterRegistry meters) {
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.meters = meters;
        this.deadLettered = Counter.builder("velocity.provisioner.commands.dead-lettered")
                .description("command records set aside on the dead-letter topic")
                .register(meters);
    }

    @Override
    public void process(ConsumerRecord<byte[], byte[]> record) {
        SessionCommand command;
        try {
            command = CommandRecords.read(record, clock.instant());
        } catch (MalformedRecordException e) {
            deadLetter(record, "unreadable", e);
            return;
        }
        Supplier<CommandHandler.Outcome> step = stepFor(command);
        if (step == null) {
            // refused here rather than committed as if done: it waits on the dead-letter topic for a
            // provisioner that handles it (the session API does not publish such commands yet)
            String reason = command.type().name().toLowerCase(Locale.ROOT) + " is not handled by this provisioner";
            deadLetter(record, command.type().name(), new UnsupportedOperationException(reason));
            return;
        }
        CommandHandler.Outcome outcome = null;
        for (int outages = 1; outcome == null; outages++) {
            try {
                outcome = step.get();
            } catch (CancellationException e) {
                throw e;
            } catch (RuntimeException e) {
                if (!CommandHandler.isDatabaseUnavailable(e)) {
                    deadLetter(record, command.type().name(), e);
                    return;
                }
                // Accepted work is never dropped for an outage: the command stays uncommitted and is
                // tried again until the database answers (or this worker is stopped and the record
                // goes to the next owner of the partition).
                Duration wait = DATABASE_OUTAGE.delay(outages);
                LOG.atWarn().addKeyValue("session", command.sessionId()).addKeyValue("retryIn", wait)
                        .addKeyValue("error", e.toString()).log("database unavailable, command kept for a retry");
                pause(wait);
            }
        }
        count(command.type().name(), outcome.tag());
    }

    /**
     * The handler's method for {@code command}, or null for a kind this provisioner does not act on yet.
     * A switch expression over every kind: a new kind does not compile until it is decided here.
     */
    private @Nullable Supplier<CommandHandler.Outcome> stepFor(SessionCommand command) {
        return switch (command.type()) {
            case CREATE -> () -> handler.create((SessionCommand.Create) command);
            case TERMINATE -> () -> handler.terminate((SessionCommand.Terminate) command);
            case EXTEND, SUSPEND, RESUME, REAP_MACHINE, MACHINE_LOST, PURGE -> null;
        };
    }

    private static void pause(Duration wait) {
        try {
            Thread.sleep(wait.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new CancellationException("stopped while waiting for the database");
        }
    }

    private void deadLetter(ConsumerRecord<byte[], byte[]> record, String type, Exception failure) {
        deadLetters.send(record, failure);
        deadLettered.increment();
        count(type, "dead_lettered");
        LOG.atWarn()
                .addKeyValue("session", CommandDispatcher.loggableKey(record))
                .addKeyValue("partition", record.partition())
                .addKeyValue("offset", record.offset())
                .addKeyValue("reason", failure.getMessage())
                .log("command dead-lettered");
    }

    private void count(String type, String outcome) {
        meters.counter("velocity.provisioner.commands", "type", type, "outcome", outcome).increment();
    }
}
