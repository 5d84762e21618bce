package dev.velocitypreview.provisioner.provisioning;

import java.time.Clock;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandHandler;
import dev.velocitypreview.provisioner.pool.MachinePool;
import dev.velocitypreview.provisioner.pool.PoolFiles;
import dev.velocitypreview.provisioner.pool.PoolPlan;
import dev.velocitypreview.provisioner.pool.WarmPools;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import static dev.velocitypreview.core.session.SessionStatus.ACTIVE;
import static dev.velocitypreview.core.session.SessionStatus.FAILED;
import static dev.velocitypreview.core.session.SessionStatus.PROVISIONING;
import static dev.velocitypreview.core.session.SessionStatus.STARTING;
import static dev.velocitypreview.core.session.SessionStatus.STOPPING;
import static dev.velocitypreview.core.session.SessionStatus.SUSPENDED;
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
    private final MachineEnvironment environment;
    private final ProvisionerSettings settings;
    private final Clock clock;
    private final MeterRegistry meters;
    private final WarmPools pools;

    SessionProvisioner(SessionRows sessions, Projects projects, TransactionTemplate transactions, MachineDriver driver,
                       MachineEnvironment environment, WarmPools pools, ProvisionerSettings settings, Clock clock,
                       MeterRegistry meters) {
        this.sessions = sessions;
        this.projects = projects;
        this.transactions = transactions;
        this.driver = driver;
        this.retrying = new Retrying(settings.retry());
        this.environment = environment;
        this.pools = pools;
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

    @Override
    public Outcome extend(SessionCommand.Extend command) {
        return decide(command.sessionId(), "extend", () -> extendSession(command));
    }

    /** A machine that will not suspend is no reason to fail the session: the command is dead-lettered with why. */
    @Override
    public Outcome suspend(SessionCommand.Suspend command) {
        return decide(command.sessionId(), "suspend", () -> suspendSession(command));
    }

    /** A machine that will not wake fails the session with the reason, as one that will not start does. */
    @Override
    public Outcome resume(SessionCommand.Resume command) {
        UUID id = command.sessionId();
        Timer.Sample sample = Timer.start(meters);
        Outcome outcome = failOnError(id, () -> retrying.call(id, "resume", () -> resumeSession(command)));
        if (outcome == Outcome.APPLIED || outcome == Outcome.FAILED) {
            // only wakes: a resume that found nothing to wake would pull the figure towards zero
            sample.stop(meters.timer("velocity.provisioner.wake.duration", "outcome", outcome.tag()));
        }
        return outcome;
    }

    @Override
    public Outcome reapMachine(SessionCommand.ReapMachine command) {
        return decide(command.sessionId(), "reap machine", () -> reap(command));
    }

    @Override
    public Outcome machineLost(SessionCommand.MachineLost command) {
        return decide(command.sessionId(), "machine lost", () -> failIfLost(command));
    }

    @Override
    public Outcome purge(SessionCommand.Purge command) {
        return decide(command.sessionId(), "purge", () -> purgeSession(command));
    }

    private Outcome createSession(SessionCommand.Create command) {
        UUID id = command.sessionId();
        // the ttl the API granted, already capped by the caller's tier; one statement, committed on its own, that
        // reads its row back: a fresh session pays one round trip to the database here, not three
        Optional<SessionRow> inserted = sessions.insertProvisioning(command, clock.instant().plus(command.ttl()));
        if (inserted.isPresent()) {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("project", command.projectId())
                    .log("session provisioning");
        }
        SessionRow row = inserted.or(() -> sessions.find(id)).orElseThrow();
        // A project with files (the common case) needs nothing more: one read, without a transaction to commit.
        if (!row.status().isTerminal() && !projects.hasFiles(command.projectId())) {
            // A transaction of its own, after the row's: sessions of one new project wait for each other on the
            // project's row here, never while holding their own uncommitted session rows. A CREATE redelivered
            // after a crash in between comes back here, as the row is not ACTIVE yet. A template this provisioner
            // does not know (the API's catalog may be newer) fails the session naming it, but only when the
            // project needs it: a project with files never looks at its template.
            transactions.executeWithoutResult(status ->
                    projects.ensureExists(id, command.projectId(), command.userId(), command.template()));
        }
        return switch (row.status()) {
            case REQUESTED -> provision(sessions.write(row, row.moveTo(PROVISIONING)), false);
            case PROVISIONING, STARTING -> provision(row, inserted.isPresent());
            case ACTIVE, SUSPENDED, STOPPING, TERMINATED, FAILED -> {
                LOG.atInfo().addKeyValue("session", id).addKeyValue("status", row.status())
                        .log("create already done, nothing to do");
                yield Outcome.SKIPPED;
            }
        };
    }

    /**
     * @param fresh this attempt inserted the row: then no earlier attempt can have made a machine (one
     *              is only made once its row exists), so the lookup is left to the driver's create,
     *              which looks up after its own ambiguous failures. On Fly that halves the list calls
     *              of a CREATE, and lists share one rate-limit bucket.
     */
    private Outcome provision(SessionRow row, boolean fresh) {
        UUID id = row.id();
        if (pools.enabled()) {
            FromPool pooled = fromPool(row, fresh);
            if (pooled.outcome() != null) {
                return pooled.outcome();
            }
            if (pooled.row() != row) {
                // a claim was recorded and given up: its machine is destroyed, the row names it still
                row = pooled.row();
                fresh = false;
                if (row.status() != PROVISIONING && row.status() != STARTING) {
                    return Outcome.SKIPPED;
                }
            }
        }
        Machine machine = fresh ? null : driver.findBySession(id).orElse(null);
        if (machine == null) {
            if (row.machine() == null) {
                throw new IllegalStateException("session " + id + " has no machine size on its row"
                        + " (resource_limits.machine): it was requested before the CREATE carried the tier grant");
            }
            List<ProjectFile> files = projects.files(row.projectId());
            machine = driver.create(new MachineSpec(id, row.userId(), row.projectId(), row.machine(),
                    UUID.randomUUID().toString(), files, environment.of(id)));
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machine.id())
                    .addKeyValue("files", files.size()).log("machine created");
        } else if (machine.state() == MachineState.STOPPED || machine.state() == MachineState.SUSPENDED) {
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

    /**
     * What a warm pool did for a CREATE: the outcome when a pooled machine now serves the session; else none, and the
     * row to go on from with a fresh machine (another than the one given when a claim was recorded and given up).
     */
    private record FromPool(@Nullable Outcome outcome, SessionRow row) {
    }

    /** A ready place claimed, and the session's row moved to STARTING on its machine, in one transaction. */
    private record ClaimTaken(MachinePool.Place place, SessionRow row) {
    }

    /**
     * Serves the session from a warm pool when it can: the place an earlier attempt of this CREATE claimed (a claim
     * is recorded before its machine is told, so a CREATE delivered again after a crash finds it and finishes it,
     * on the same machine), else the oldest ready place of a pool the project fits, claimed in the transaction that
     * moves the row to STARTING on its machine. The machine is then told the session and the project's files (those
     * that differ from the template's) and the session is ACTIVE once they are in place (the runtime answers once they
     * are written; its dev server's check of them reaches the platform with its first sync). A machine that refuses or
     * fails the claim is destroyed and the session gets a fresh machine, as it does when no pool fits or the pool is
     * empty: the caller notices only the time.
     */
    private FromPool fromPool(SessionRow row, boolean fresh) {
        UUID id = row.id();
        long started = System.nanoTime();
        // a row this attempt inserted has no claim yet: only a CREATE delivered again can find one
        Optional<MachinePool.Place> claimed = fresh ? Optional.empty() : pools.claimedBy(id);
        List<PoolFiles.StoredFile> project = null;
        if (claimed.isEmpty()) {
            if (row.status() != PROVISIONING || row.machine() == null) {
                // a STARTING row without a claim has a fresh machine under way already
                return new FromPool(null, row);
            }
            project = projects.stored(row.projectId());
            Optional<PoolPlan> plan = pools.fitting(project, row.machine());
            if (plan.isEmpty()) {
                return new FromPool(null, row);
            }
            SessionRow provisioning = row;
            ClaimTaken taken = transactions.execute(status -> pools.claim(plan.get(), id, clock.instant())
                    .map(place -> new ClaimTaken(place, sessions.write(provisioning,
                            provisioning.moveTo(STARTING).withMachine(place.machineId(), null, place.region()))))
                    .orElse(null));
            if (taken == null) {
                return new FromPool(null, row);
            }
            claimed = Optional.of(taken.place());
            row = taken.row();
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", claimed.get().machineId())
                    .addKeyValue("pool", claimed.get().pool()).log("pooled machine claimed");
        }
        MachinePool.Place place = claimed.get();
        MachineClaim claim = claimOf(row, place, project == null ? projects.stored(row.projectId()) : project);
        try {
            long claiming = System.nanoTime();
            Machine ready = driver.claim(place.machineId(), claim, place.claimToken(), settings.readyTimeout());
            long claimedAt = System.nanoTime();
            SessionRow starting = row.status() == PROVISIONING ? row.moveTo(STARTING) : row;
            sessions.write(row, starting.moveTo(ACTIVE).withMachine(ready.id(), ready.url(), ready.region())
                    .withReadyAt(clock.instant()));
            long active = System.nanoTime();
            pools.served(place);
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", ready.id()).addKeyValue("url", ready.url())
                    .addKeyValue("files", claim.files().files().size())
                    .addKeyValue("recordMillis", TimeUnit.NANOSECONDS.toMillis(claiming - started))
                    .addKeyValue("machineMillis", TimeUnit.NANOSECONDS.toMillis(claimedAt - claiming))
                    .addKeyValue("activeMillis", TimeUnit.NANOSECONDS.toMillis(active - claimedAt))
                    .log("session active on a pooled machine");
            return new FromPool(Outcome.APPLIED, row);
        } catch (MachineException e) {
            LOG.atWarn().addKeyValue("session", id).addKeyValue("machine", place.machineId())
                    .addKeyValue("error", e.getMessage()).log("pooled machine refused the claim, a fresh machine instead");
            try {
                driver.destroy(place.machineId());
            } catch (MachineException destroyFailed) {
                // it is tagged with the session now: terminate, or cleanup's orphan reconciliation, removes it
                LOG.atWarn().addKeyValue("session", id).addKeyValue("machine", place.machineId())
                        .addKeyValue("error", destroyFailed.getMessage()).log("refusing pooled machine not destroyed");
            }
            pools.failed(place);
            return new FromPool(null, sessions.find(id).orElseThrow());
        }
    }

    /** What a claim of the place's machine tells it: the session, and the project's files where they differ from the template's. */
    private MachineClaim claimOf(SessionRow row, MachinePool.Place place, List<PoolFiles.StoredFile> project) {
        return environment.claim(row.id(), row.projectId(), pools.claimFiles(place, project));
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

    private Outcome extendSession(SessionCommand.Extend command) {
        UUID id = command.sessionId();
        Optional<SessionRow> found = sessions.find(id);
        if (found.isEmpty()) {
            LOG.atWarn().addKeyValue("session", id).log("extend for an unknown session, skipped");
            return Outcome.SKIPPED;
        }
        SessionRow row = found.get();
        if (row.status().isTerminal()) {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("status", row.status())
                    .log("extend of an ended session refused");
            return Outcome.REFUSED;
        }
        // the column keeps microseconds: compared at that precision, a redelivered extend writes nothing
        if (command.expiresAt().truncatedTo(ChronoUnit.MICROS).equals(row.expiresAt())) {
            return Outcome.SKIPPED;
        }
        sessions.write(row, row.withExpiresAt(command.expiresAt()));
        LOG.atInfo().addKeyValue("session", id).addKeyValue("expiresAt", command.expiresAt()).log("session extended");
        return Outcome.APPLIED;
    }

    private Outcome suspendSession(SessionCommand.Suspend command) {
        UUID id = command.sessionId();
        Optional<SessionRow> found = sessions.find(id);
        if (found.isEmpty() || found.get().status() == SUSPENDED) {
            return Outcome.SKIPPED;
        }
        SessionRow row = found.get();
        if (row.status() != ACTIVE) {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("status", row.status())
                    .log("suspend of a session that is not active refused");
            return Outcome.REFUSED;
        }
        String machineId = machineOf(row);
        driver.suspend(machineId);
        sessions.write(row, row.moveTo(SUSPENDED));
        LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machineId).log("session suspended");
        return Outcome.APPLIED;
    }

    private Outcome resumeSession(SessionCommand.Resume command) {
        UUID id = command.sessionId();
        Optional<SessionRow> found = sessions.find(id);
        if (found.isEmpty() || found.get().status() == ACTIVE) {
            return Outcome.SKIPPED;
        }
        SessionRow row = found.get();
        if (row.status() != SUSPENDED) {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("status", row.status())
                    .log("resume of a session that is not suspended refused");
            return Outcome.REFUSED;
        }
        String machineId = machineOf(row);
        Optional<MachinePool.Place> pooled = pools.claimedBy(id).filter(place -> machineId.equals(place.machineId()));
        // a pool's machine that restarted rather than resumed (Fly: a crash, a host move) runs its image in pool mode
        // again and serves no session: claimed again, it takes the session's files as they are now; one that kept its
        // claim answers with it and writes nothing
        Machine ready = pooled.isPresent()
                ? driver.claim(machineId, claimOf(row, pooled.get(), projects.stored(row.projectId())),
                        pooled.get().claimToken(), settings.readyTimeout())
                : driver.awaitReady(driver.start(machineId), settings.readyTimeout());
        sessions.write(row, row.moveTo(ACTIVE).withMachine(ready.id(), ready.url(), ready.region()));
        LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", ready.id()).addKeyValue("url", ready.url())
                .addKeyValue("claimedAgain", pooled.isPresent()).log("session resumed");
        return Outcome.APPLIED;
    }

    /**
     * The machine's session tag comes from the driver's own listing and never changes, so the row alone decides:
     * a live row keeps the machine it names, and any machine while it names none (its CREATE may be writing it).
     */
    private Outcome reap(SessionCommand.ReapMachine command) {
        UUID id = command.sessionId();
        String machineId = command.machineId();
        Optional<SessionRow> found = sessions.find(id);
        if (found.isPresent() && !found.get().status().isTerminal()) {
            SessionRow row = found.get();
            if (row.machineId() == null || row.machineId().equals(machineId)) {
                LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machineId)
                        .addKeyValue("status", row.status()).addKeyValue("rowMachine", row.machineId())
                        .log("machine of a live session not reaped");
                return Outcome.REFUSED;
            }
        }
        driver.destroy(machineId);
        LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", machineId).addKeyValue("reason", "orphan")
                .addKeyValue("status", found.map(SessionRow::status).orElse(null)).log("orphan machine destroyed");
        return Outcome.APPLIED;
    }

    private Outcome failIfLost(SessionCommand.MachineLost command) {
        UUID id = command.sessionId();
        Optional<SessionRow> found = sessions.find(id);
        if (found.isEmpty() || found.get().status().isTerminal()) {
            return Outcome.SKIPPED;
        }
        SessionRow row = found.get();
        if ((row.status() != ACTIVE && row.status() != SUSPENDED) || !command.machineId().equals(row.machineId())) {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", command.machineId())
                    .addKeyValue("status", row.status()).addKeyValue("rowMachine", row.machineId())
                    .log("machine lost refused: the session has moved on");
            return Outcome.REFUSED;
        }
        Optional<Machine> machine = driver.findBySession(id);
        if (machine.isPresent() && machine.get().id().equals(row.machineId())
                && machine.get().state() != MachineState.DESTROYED) {
            LOG.atInfo().addKeyValue("session", id).addKeyValue("machine", row.machineId())
                    .addKeyValue("state", machine.get().state()).log("machine lost refused: the machine is there");
            return Outcome.REFUSED;
        }
        LOG.atWarn().addKeyValue("session", id).addKeyValue("machine", row.machineId()).log("session failed: machine lost");
        return fail(id, MACHINE_LOST, null);
    }

    private Outcome purgeSession(SessionCommand.Purge command) {
        UUID id = command.sessionId();
        Optional<SessionRow> found = sessions.find(id);
        if (found.isEmpty()) {
            return Outcome.SKIPPED;
        }
        SessionRow row = found.get();
        if (!row.status().isTerminal()) {
            LOG.atWarn().addKeyValue("session", id).addKeyValue("status", row.status())
                    .log("purge of a live session refused");
            return Outcome.REFUSED;
        }
        sessions.deleteEnded(row);
        LOG.atInfo().addKeyValue("session", id).addKeyValue("status", row.status()).log("ended session purged");
        return Outcome.APPLIED;
    }

    /** The machine the row names, or the one tagged with the session when the row names none. */
    private String machineOf(SessionRow row) {
        if (row.machineId() != null) {
            return row.machineId();
        }
        return driver.findBySession(row.id()).map(Machine::id).orElseThrow(() ->
                new MachineException("session " + row.id() + " is " + row.status() + " but has no machine", false));
    }

    /**
     * Runs a step that decides from the row and the driver, retried after transient database failures; any
     * other failure leaves the session as it is and reaches the command processor (which dead-letters it, or
     * waits for the database).
     */
    private Outcome decide(UUID id, String what, Supplier<Outcome> work) {
        try {
            return retrying.call(id, what, work);
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            if (Thread.currentThread().isInterrupted()) {
                throw new CancellationException("interrupted while handling session " + id);
            }
            throw e;
        }
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

    private Outcome fail(UUID id, String error, @Nullable RuntimeException cause) {
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
