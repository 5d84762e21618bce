package dev.velocitypreview.provisioner.commands;

import java.time.Clock;
import java.time.Duration;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.json.MalformedRecordException;
import dev.velocitypreview.core.retry.Backoff;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * Reads a record, applies its command, and dead-letters what cannot be read or applied. A record without a
 * value is a tombstone (cleanup writes one with each PURGE, so that the session directories drop the session's
 * CREATE): nothing to apply, it is counted and committed.
 */
final class CommandProcessor implements CommandDispatcher.RecordProcessor {

    private static final Logger LOG = LoggerFactory.getLogger(CommandProcessor.class);
    /** How long a command waits for the database to come back: from about half a second up to 30 s between tries. */
    static final Backoff DATABASE_OUTAGE = new Backoff(Duration.ofMillis(500), Duration.ofSeconds(30));

    private final CommandHandler handler;
    private final DeadLetters deadLetters;
    private final Clock clock;
    private final MeterRegistry meters;
    private final Counter deadLettered;
    private final Counter tombstones;

    CommandProcessor(CommandHandler handler, DeadLetters deadLetters, Clock clock, MeterRegistry meters) {
        this.handler = handler;
        this.deadLetters = deadLetters;
        this.clock = clock;
        this.meters = meters;
        this.deadLettered = Counter.builder("velocity.provisioner.commands.dead-lettered")
                .description("command records set aside on the dead-letter topic")
                .register(meters);
        this.tombstones = Counter.builder("velocity.provisioner.commands.tombstones")
                .description("command records without a value (retention tombstones), skipped")
                .register(meters);
    }

    @Override
    public void process(ConsumerRecord<byte[], byte[]> record) {
        if (record.value() == null) {
            tombstones.increment();
            LOG.atDebug().addKeyValue("session", CommandDispatcher.loggableKey(record))
                    .addKeyValue("partition", record.partition()).addKeyValue("offset", record.offset())
                    .log("tombstone on the command topic, nothing to apply");
            return;
        }
        SessionCommand command;
        try {
            command = CommandRecords.read(record, clock.instant());
        } catch (MalformedRecordException e) {
            deadLetter(record, "unreadable", e);
            return;
        }
        Supplier<CommandHandler.Outcome> step = stepFor(command);
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
     * The handler's method for {@code command}. A switch expression over every kind: a new kind does not compile
     * until it is decided here.
     */
    private Supplier<CommandHandler.Outcome> stepFor(SessionCommand command) {
        return switch (command.type()) {
            case CREATE -> () -> handler.create((SessionCommand.Create) command);
            case TERMINATE -> () -> handler.terminate((SessionCommand.Terminate) command);
            case EXTEND -> () -> handler.extend((SessionCommand.Extend) command);
            case SUSPEND -> () -> handler.suspend((SessionCommand.Suspend) command);
            case RESUME -> () -> handler.resume((SessionCommand.Resume) command);
            case REAP_MACHINE -> () -> handler.reapMachine((SessionCommand.ReapMachine) command);
            case MACHINE_LOST -> () -> handler.machineLost((SessionCommand.MachineLost) command);
            case PURGE -> () -> handler.purge((SessionCommand.Purge) command);
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
