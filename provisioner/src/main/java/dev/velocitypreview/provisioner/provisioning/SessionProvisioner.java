package dev.velocitypreview.provisioner.provisioning;

import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandHandler;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import static dev.velocitypreview.core.session.SessionStatus.ACTIVE;
import static dev.velocitypreview.core.session.SessionStatus.FAILED;
import static dev.velocitypreview.core.session.SessionStatus.PROVISIONING;
import static dev.velocitypreview.core.session.SessionStatus.STARTING;
import static dev.velocitypreview.core.session.SessionStatus.STOPPING;
import static dev.velocitypreview.core.session.SessionStatus.TERMINATED;

/**
 * Turns commands into machines and session rows. Every step starts from what the row and the
 * driver say now, so a command delivered again, or retried after a transient failure, picks up
 * where the last attempt stopped: one row, one machine.
 */
final class SessionProvisioner implements CommandHandler {

    private static final Logger LOG = LoggerFactory.getLogger(SessionProvisioner.class);

    private final SessionRows sessions;
    private final Projects projects;
    private final TransactionTemplate transactions;
    private final MachineDriver driver;
    private final Retrying retrying;
    private final ProvisionerSettings settings;
    private final Clock clock;
    private final MeterRegistry meters;

    SessionProvisioner(SessionRows sessions, Projects projects, TransactionTemplate transactions, MachineDriver driver,
                       ProvisionerSettings settings, Clock clock, MeterRegistry meters) {
        this.sessions = sessions;
        this.projects = projects;
        this.transactions = transactions;
        this.driver = driver;
        this.retrying = new Retrying(settings.retry());
        this.settings = settings;
        this.clock = clock;
        this.meters = meters;
    }

    @Override
    public Outcome create(SessionCommand.Create command) {
        UUID id = command.sessionId();
        Timer.Sample sample = Timer.start(meters);
        Outcome outcome = failOnError(id, () -> retrying.call(id, "create", () -> createSession(command)));
        sample.stop(meters.timer("velocity.provisioner.provisioning.duration", "outcome", outcome.tag()));
        return outcome;
    }

    @Override
    public Outcome terminate(SessionCommand.Terminate command) {
        UUID id = command.sessionId();
        return failOnError(id, () -> retrying.call(id, "terminate", () -> terminateSession(command)));
    }

    private Outcome createSession(SessionCommand.Create command) {
        UUID id = command.sessionId();
        Taken taken = transactions.execute(status -> {
            // the ttl the API granted, already capped by the caller's tier
            boolean inserted = sessions.insertProvisioning(command, clock.instant().plus(command.ttl()));
            if (inserted) {
                LOG.atInfo().addKeyValue("session", id).addKeyValue("project", command.projectId())
                        .log("session provisioning");
            }
            projects.ensureExists(command.projectId(), command.userId());
            return new Taken(sessions.find(id).orElseThrow(), inserted);
        });
        SessionRow row = taken.row();
        return switch (row.status()) {
            case REQUESTED -> provision(sessions.write(row, row.moveTo(PROVISIONING)), false);
            case PROVISIONING, STARTING -> provision(row, taken.inserted());
            case ACTIVE, SUSPENDED, STOPPING, TERMINATED, FAILED -> {
                LOG.atInfo().addKeyValue("session", id).addKeyValue("status", row.status())
                        .log("create already done, nothing to do");
                yield Outcome.SKIPPED;
            }
        };
    }

    /** The row a CREATE found or wrote, and whether it wrote it. */
    private record Taken(SessionRow row, boolean inserted) {
    }

    /**
     * @param fresh this attempt inserted the row: then no earlier attempt can have made a machine (one
     *              is only made once its row exists), so the lookup is left to the driver's create,
     *              which looks up after its own ambiguous failures. On Fly that halves the list calls
     *              of a CREATE, and lists share one rate-limit bucket.
     */
    private Outcome provision(SessionRow row, boolean fresh) {
        UUID id = row.id();
        Machine machine = fresh ? null : driver.findBySession(id).orElse(null);
        if (machine == null) {
            if (row.machine() == null) {
                throw new IllegalStateException("session " + id + " has no machine size on its row"
                        + " (resource_limits.machine): it was requested before the CREATE carried the tier grant");
            }
            List<ProjectFile> files = projects.files(row.projectId());
            machine = driver.create(new MachineSpec(id, row.userId(), row.projectId(), row.machine(),
                    UUID.randomUUID().toString(), files, Map.of()));
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machine.id())
                    .addKeyValue("files", files.size()).log("machine created");
        } else if (machine.state() == MachineState.STOPPED) {
            machine = driver.start(machine.id());
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machine.id()).log("stopped machine started");
        } else {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machine.id())
                    .addKeyValue("state", machine.state()).log("machine found, not created again");
        }
        SessionRow starting = (row.status() == PROVISIONING ? row.moveTo(STARTING) : row)
                .withMachine(machine.id(), null, machine.region());
        if (!starting.equals(row)) {
            row = sessions.write(row, starting);
        }
        Machine ready = driver.awaitReady(machine, settings.readyTimeout());
        sessions.write(row, row.moveTo(ACTIVE).withMachine(ready.id(), ready.url(), ready.region())
                .withReadyAt(clock.instant()));
        LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", ready.id()).addKeyValue("url", ready.url())
                .log("session active");
        return Outcome.APPLIED;
    }

    private Outcome terminateSession(SessionCommand.Terminate command) {
        UUID id = command.sessionId();
        Optional<SessionRow> found = sessions.find(id);
        if (found.isEmpty()) {
            LOG.atWarn().addKeyValue("session", id).log("terminate for an unknown session, skipped");
            return Outcome.SKIPPED;
        }
        SessionRow row = found.get();
        if (row.status().isTerminal()) {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("status", row.status())
                    .log("session already ended, nothing to do");
            return Outcome.SKIPPED;
        }
        if (row.status() != STOPPING) {
            row = sessions.write(row, row.moveTo(STOPPING));
        }
        destroyMachines(row);
        sessions.write(row, row.moveTo(TERMINATED).withEnd(command.reason(), null, clock.instant()));
        LOG.atInfo().addKeyValue("session", id).addKeyValue("reason", command.reason()).log("session terminated");
        return Outcome.APPLIED;
    }

    /** The recorded machine, and any other still tagged with the session (one created before its id was written). */
    private void destroyMachines(SessionRow row) {
        if (row.machineId() != null) {
            driver.destroy(row.machineId());
            LOG.atInfo().addKeyValue("session", row.id()).addKeyValue("machine", row.machineId()).log("machine destroyed");
        }
        Optional<Machine> stray = driver.findBySession(row.id());
        if (stray.isPresent()) {
            driver.destroy(stray.get().id());
            LOG.atInfo().addKeyValue("session", row.id()).addKeyValue("machine", stray.get().id()).log("machine destroyed");
        }
    }

    /**
     * Runs {@code work}; when it fails for good (a permanent failure, or retries ran out) the
     * session's machine is destroyed and the row written FAILED with the error, so that no
     * accepted command is dropped without a trace.
     *
     * @throws RuntimeException when the database is unreachable (the command is handled again once it
     *                          answers), or when not even FAILED could be written
     */
    private Outcome failOnError(UUID id, Supplier<Outcome> work) {
        try {
            return work.get();
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                // shutting down mid-step: not the session's fault; the command is delivered again
                throw new CancellationException("interrupted while handling session " + id);
            }
            if (CommandHandler.isDatabaseUnavailable(e)) {
                // an outage that outlasted the retries is not the session's fault either: the command
                // waits for the database and starts over then, instead of leaving a FAILED row behind
                throw e;
            }
            String error = e.getMessage() == null ? e.getClass().getName() : e.getMessage();
            LOG.atWarn().addKeyValue("session", id).addKeyValue("error", error).log("session failed");
            return retrying.call(id, "fail", () -> fail(id, error, e));
        }
    }

    private Outcome fail(UUID id, String error, RuntimeException cause) {
        SessionRow row = sessions.find(id).orElseThrow(() ->
                new IllegalStateException("session " + id + " failed before its row was written: " + error, cause));
        if (row.status().isTerminal()) {
            return Outcome.SKIPPED;
        }
        try {
            destroyMachines(row);
        } catch (MachineException e) {
            // the row must still say FAILED; orphan reconciliation removes what is left
            LOG.atError().setCause(e).addKeyValue("session", id).log("machine of a failed session not destroyed");
        }
        sessions.write(row, row.moveTo(FAILED).withEnd(null, error, clock.instant()));
        return Outcome.FAILED;
    }
}
