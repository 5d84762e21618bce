package dev.velocitypreview.machines.local;

import java.io.IOException;
import java.lang.ProcessBuilder.Redirect;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.config.Constraints;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.PooledMachineSpec;
import dev.velocitypreview.machines.RuntimeClaimClient;
import dev.velocitypreview.machines.RuntimeHealthProbe;

/**
 * Machines as child processes of this JVM, each running the preview runtime on a free loopback
 * port. Everything about a machine lives in its directory under {@link LocalMachinesSettings#root()}
 * (see {@link MachineDirectory}), so a driver created after a restart finds, stops, starts and
 * destroys the machines an earlier one created. The runtime's output goes to a file, never a pipe,
 * so machines outlive a driver that is killed.
 *
 * <p>Runtimes start with {@link LocalMachinesSettings#jvmOptions()} and, once a training run has made one, a
 * class-data archive of the runtime's classes ({@link ClassDataArchive}); until then, and whenever the archive cannot
 * be used, they start without it.
 *
 * <p>Like a Fly machine whose process exits, a machine whose runtime exited on its own is reported
 * as {@link MachineState#STOPPED}: it can be started again or destroyed.
 *
 * <p>{@link #suspend} stops the runtime's process tree in place (SIGSTOP) and {@link #start} continues it
 * (SIGCONT): the memory, the port and the materialized project stay, so a wake takes no launch. The record
 * says SUSPENDED meanwhile, so a driver started after a restart resumes that process too. Suspend and resume
 * need {@code kill(1)} (Linux, macOS).
 *
 * <p>Warm pools: a pooled machine ({@link #createPooled}) is recorded with its pool and slot and no session, and its
 * runtime is launched without {@code --session-id}, with {@value #POOL_TOKEN_ENV} in its environment and the pool's
 * bundle. It stays running once warm ({@link #awaitWarm}). {@link #claim} records it as the session's machine (and
 * rewrites its bundle and environment, so a later launch starts it as the session's), then sends its runtime the
 * claim. Unclaimed pooled machines are in {@link #listPooled()}, never in {@link #list()}.
 *
 * <p>Thread-safe. Calls for one session are serialized (per-session lock), so two concurrent
 * creates for the same session launch one process; calls for different sessions run in parallel. A pooled
 * machine has no session: its calls are serialized by its slot, and a claim holds both locks.
 */
public final class LocalProcessDriver implements MachineDriver {

    private static final Logger LOG = LoggerFactory.getLogger(LocalProcessDriver.class);

    static final String REGION = "local";
    static final String RUNTIME_MAIN_CLASS = "dev.velocitypreview.runtime.PreviewRuntime";
    private static final String LOOPBACK = "127.0.0.1";
    /**
     * The runtime's {@code --deps-cache} option, as its environment variable: a runtime from before dev servers
     * ignores the variable but refuses an option it does not know, so the variable works with both.
     */
    static final String DEPS_CACHE_ENV = "PREVIEW_DEPS_CACHE";
    /** The pooled runtime's claim token: its {@code --pool-token} option, as its environment variable. */
    static final String POOL_TOKEN_ENV = "PREVIEW_POOL_TOKEN";
    /** What a claimed machine launched again gets in place of the claim token (the runtime's sync options). */
    static final String SYNC_URL_ENV = "PREVIEW_SYNC_URL";
    static final String SYNC_TOKEN_ENV = "PREVIEW_SYNC_TOKEN";
    /** One look at a loopback health endpoint; generous, as many runtimes starting at once starve each other. */
    private static final Duration HEALTH_REQUEST_TIMEOUT = Duration.ofSeconds(5);
    private static final int LOG_TAIL_BYTES = 4096;

    private final LocalMachinesSettings settings;
    private final MachineDirectory machines;
    private final RuntimeHealthProbe health;
    private final RuntimeClaimClient claims;
    private final KeyedLocks<UUID> sessionLocks = new KeyedLocks<>();
    private final KeyedLocks<UUID> slotLocks = new KeyedLocks<>();
    /** The processes this driver launched: exit codes for messages, and what {@link #close} stops. */
    private final Map<String, Process> launched = new ConcurrentHashMap<>();
    /**
     * A machine's session never changes once it has one (a pooled machine gets one once, when claimed, and is not in
     * here before), so scans need not reread other sessions' records.
     */
    private final Map<String, UUID> sessionOfMachine = new ConcurrentHashMap<>();
    private final ClassDataArchive classData;

    public LocalProcessDriver(LocalMachinesSettings settings) {
        this(settings, ClassDataArchive.DEFAULT_FOLDER);
    }

    /** @param classDataFolder where the runtime's class-data archives are kept ({@link ClassDataArchive}) */
    LocalProcessDriver(LocalMachinesSettings settings, Path classDataFolder) {
        this.settings = Constraints.check(settings);
        this.classData = new ClassDataArchive(classDataFolder, settings);
        this.machines = new MachineDirectory(settings.root());
        this.health = new RuntimeHealthProbe(HEALTH_REQUEST_TIMEOUT, settings.healthPollInterval());
        Duration poll = settings.healthPollInterval();
        this.claims = new RuntimeClaimClient(HEALTH_REQUEST_TIMEOUT, new Backoff(poll, poll.multipliedBy(8)));
    }

    @Override
    public Optional<Machine> findBySession(UUID sessionId) {
        return findRecord(sessionId).map(this::toMachine);
    }

    @Override
    public Machine create(MachineSpec spec) {
        return sessionLocks.call(spec.sessionId(), () -> {
            Optional<MachineRecord> existing = findRecord(spec.sessionId());
            if (existing.isPresent()) {
                return reuse(existing.get(), spec);
            }
            String id = newMachineId();
            try {
                machines.writeBundle(id, spec);
                MachineRecord record = new MachineRecord(id, spec.sessionId(), spec.projectId(), spec.userId(),
                        spec.attemptId(), null, null, null, MachineState.STARTING, Instant.now(), spec.env(), null, null);
                MachineRecord running = launch(record);
                sessionOfMachine.put(id, spec.sessionId());
                LOG.atInfo().addKeyValue("session", spec.sessionId()).addKeyValue("machine", id)
                        .addKeyValue("attempt", spec.attemptId()).addKeyValue("pid", running.pid())
                        .addKeyValue("files", spec.files().size()).log("machine created");
                return toMachine(running);
            } catch (IOException | RuntimeException e) {
                discard(id);
                throw new MachineException("cannot create a machine for session " + spec.sessionId() + ": " + e, false, e);
            }
        });
    }

    /** A create for a session that has a machine: a live one is the answer, a stopped one is launched again. */
    private Machine reuse(MachineRecord existing, MachineSpec spec) {
        Machine machine = toMachine(existing);
        if (machine.state() != MachineState.STOPPED) {
            LOG.atInfo().addKeyValue("session", spec.sessionId()).addKeyValue("machine", existing.id())
                    .addKeyValue("attempt", spec.attemptId()).log("machine already exists");
            return machine;
        }
        try {
            machines.writeBundle(existing.id(), spec);
            MachineRecord running = relaunch(existing);
            LOG.atInfo().addKeyValue("session", spec.sessionId()).addKeyValue("machine", existing.id())
                    .addKeyValue("attempt", spec.attemptId()).addKeyValue("pid", running.pid())
                    .log("stopped machine launched again");
            return toMachine(running);
        } catch (IOException e) {
            throw new MachineException("cannot launch machine " + existing.id() + " again: " + e, false, e);
        }
    }

    @Override
    public Machine awaitReady(Machine machine, Duration timeout) {
        String id = machine.id();
        URI url = health.awaitReady(id, runtimeOf(id), timeout);
        MachineRecord ready = sessionLocks.call(machine.sessionId(), () -> markReady(id, url.getPort()));
        LOG.atInfo().addKeyValue("session", ready.sessionId()).addKeyValue("machine", id)
                .addKeyValue("url", url).log("machine ready");
        return new Machine(id, ready.sessionId(), MachineState.STARTED, url.toString(), REGION, ready.createdAt());
    }

    /**
     * Waits for the restarted runtime to be ready, at most {@link LocalMachinesSettings#readyTimeout()}. A suspended
     * machine whose process still lives is continued where it stopped (SIGCONT): same process, same port, no launch.
     */
    @Override
    public Machine start(String machineId) {
        MachineRecord record = require(machineId);
        Machine starting = locked(record, () -> {
            MachineRecord current = require(machineId);
            boolean alive = alive(current);
            if (current.state() == MachineState.SUSPENDED && alive) {
                return toMachine(resume(current));
            }
            if (current.state() != MachineState.STOPPED && current.state() != MachineState.SUSPENDED && alive) {
                return toMachine(current);
            }
            try {
                MachineRecord running = relaunch(current);
                LOG.atInfo().addKeyValue("session", current.sessionId()).addKeyValue("machine", machineId)
                        .addKeyValue("pid", running.pid()).log("machine started");
                return toMachine(running);
            } catch (IOException e) {
                throw new MachineException("cannot start machine " + machineId + ": " + e, false, e);
            }
        });
        return awaitReady(starting, settings.readyTimeout());
    }

    private MachineRecord resume(MachineRecord suspended) {
        suspended.process().resume();
        MachineRecord resumed = suspended.resumed();
        try {
            machines.write(resumed);
        } catch (IOException e) {
            throw new MachineException("cannot record machine " + suspended.id() + " as resumed: " + e, true, e);
        }
        LOG.atInfo().addKeyValue("session", suspended.sessionId()).addKeyValue("machine", suspended.id())
                .addKeyValue("pid", suspended.pid()).log("machine resumed");
        return resumed;
    }

    /**
     * Stops the runtime's processes where they are (SIGSTOP), so that they keep their memory and port and
     * {@link #start} continues them at once. A machine whose runtime is gone is recorded as stopped instead.
     */
    @Override
    public void suspend(String machineId) {
        MachineRecord record = require(machineId);
        String done = locked(record, () -> {
            MachineRecord current = require(machineId);
            try {
                if (!alive(current)) {
                    machines.clearPort(machineId);
                    machines.write(current.stopped());
                    return "machine not running, recorded as stopped";
                }
                if (current.state() == MachineState.SUSPENDED) {
                    return "machine already suspended";
                }
                current.process().suspend();
                machines.write(current.suspended());
                return "machine suspended";
            } catch (IOException e) {
                throw new MachineException("cannot record machine " + machineId + " as suspended: " + e, true, e);
            }
        });
        LOG.atInfo().addKeyValue("session", record.sessionId()).addKeyValue("machine", machineId).log(done);
    }

    @Override
    public void stop(String machineId) {
        MachineRecord record = require(machineId);
        locked(record, () -> {
            MachineRecord current = require(machineId);
            kill(current);
            try {
                machines.clearPort(machineId);
                machines.write(current.stopped());
            } catch (IOException e) {
                throw new MachineException("cannot record machine " + machineId + " as stopped: " + e, true, e);
            }
            return null;
        });
        LOG.atInfo().addKeyValue("session", record.sessionId()).addKeyValue("machine", machineId).log("machine stopped");
    }

    @Override
    public void destroy(String machineId) {
        if (!MachineDirectory.isMachineId(machineId)) {
            LOG.atDebug().addKeyValue("machine", machineId).log("not a local machine id, nothing to destroy");
            return;
        }
        Optional<MachineRecord> record = machines.read(machineId);
        Runnable destroy = () -> {
            machines.read(machineId).ifPresent(this::kill);
            try {
                machines.delete(machineId);
            } catch (IOException e) {
                throw new MachineException("cannot delete the directory of machine " + machineId + ": " + e, true, e);
            }
            sessionOfMachine.remove(machineId);
        };
        if (record.isPresent()) {
            locked(record.get(), () -> {
                destroy.run();
                return null;
            });
            LOG.atInfo().addKeyValue("session", record.get().sessionId()).addKeyValue("machine", machineId)
                    .addKeyValue("pool", record.get().pool()).log("machine destroyed");
        } else {
            destroy.run();
        }
    }

    @Override
    public List<Machine> list() {
        List<Machine> all = new ArrayList<>();
        for (String id : machines.ids()) {
            machines.read(id).filter(record -> !record.isPooled()).map(this::toMachine).ifPresent(all::add);
        }
        return all;
    }

    @Override
    public List<PooledMachine> listPooled() {
        List<PooledMachine> all = new ArrayList<>();
        for (String id : machines.ids()) {
            if (!sessionOfMachine.containsKey(id)) {
                machines.read(id).filter(MachineRecord::isPooled).map(this::toPooled).ifPresent(all::add);
            }
        }
        return all;
    }

    /**
     * Creates and launches the machine of a pool's slot, or returns the slot's unclaimed machine (launched again if
     * its runtime is not running).
     */
    @Override
    public PooledMachine createPooled(PooledMachineSpec spec) {
        return slotLocks.call(spec.slot(), () -> {
            Optional<MachineRecord> existing = findPooledRecord(spec.slot());
            if (existing.isPresent()) {
                return reusePooled(existing.get(), spec);
            }
            String id = newMachineId();
            try {
                machines.writePooledBundle(id, spec);
                MachineRecord record = new MachineRecord(id, null, null, null, null, null, null, null,
                        MachineState.STARTING, Instant.now(), pooledEnv(spec), spec.pool(), spec.slot());
                MachineRecord running = launch(record);
                LOG.atInfo().addKeyValue("pool", spec.pool()).addKeyValue("slot", spec.slot()).addKeyValue("machine", id)
                        .addKeyValue("pid", running.pid()).addKeyValue("files", spec.files().size())
                        .log("pooled machine created");
                return toPooled(running);
            } catch (IOException | RuntimeException e) {
                discard(id);
                throw new MachineException("cannot create pooled machine " + spec.slot() + " of pool " + spec.pool()
                        + ": " + e, false, e);
            }
        });
    }

    private PooledMachine reusePooled(MachineRecord existing, PooledMachineSpec spec) {
        PooledMachine machine = toPooled(existing);
        if (machine.state() != MachineState.STOPPED) {
            LOG.atInfo().addKeyValue("pool", spec.pool()).addKeyValue("slot", spec.slot())
                    .addKeyValue("machine", existing.id()).log("pooled machine already exists");
            return machine;
        }
        try {
            machines.writePooledBundle(existing.id(), spec);
            MachineRecord running = relaunch(existing);
            LOG.atInfo().addKeyValue("pool", spec.pool()).addKeyValue("slot", spec.slot())
                    .addKeyValue("machine", existing.id()).addKeyValue("pid", running.pid())
                    .log("stopped pooled machine launched again");
            return toPooled(running);
        } catch (IOException e) {
            throw new MachineException("cannot launch pooled machine " + existing.id() + " again: " + e, false, e);
        }
    }

    /** Waits until the runtime is warm (healthy); the machine stays running, as a local machine costs nothing parked. */
    @Override
    public PooledMachine awaitWarm(PooledMachine machine, Duration timeout) {
        String id = machine.id();
        URI url = health.awaitReady(id, runtimeOf(id), timeout);
        MachineRecord ready = slotLocks.call(machine.slot(), () -> markReady(id, url.getPort()));
        LOG.atInfo().addKeyValue("pool", machine.pool()).addKeyValue("slot", machine.slot()).addKeyValue("machine", id)
                .addKeyValue("url", url).log("pooled machine warm");
        return toPooled(ready);
    }

    /**
     * Records the machine as the session's, then sends its runtime the claim, all under the session's and the slot's
     * locks (so no stop or destroy runs in between). Sent again for the same session, the record is left as it is and
     * the claim is sent again.
     */
    @Override
    public Machine claim(String machineId, MachineClaim claim, String claimToken, Duration timeout) {
        UUID session = claim.sessionId();
        MachineRecord record = require(machineId);
        requireClaimable(record, session);
        return sessionLocks.call(session, () -> slotLocks.call(record.slot(), () -> {
            long started = System.nanoTime();
            MachineRecord current = require(machineId);
            requireClaimable(current, session);
            if (!current.isPooled()) {
                Optional<Machine> serving = servingAlready(current, timeout);
                if (serving.isPresent()) {
                    return serving.get();
                }
            }
            if (current.state() == MachineState.SUSPENDED && alive(current)) {
                // the claim is sent again until the continued runtime answers
                current = resume(current);
            }
            OptionalInt port = current.port() != null ? OptionalInt.of(current.port()) : machines.port(machineId);
            if (!alive(current) || port.isEmpty()) {
                throw machineFailure(machineId, "is not running: session " + session + " cannot claim it");
            }
            if (current.isPooled()) {
                current = recordClaim(current, claim);
            }
            URI url = url(port.getAsInt());
            long recorded = System.nanoTime();
            RuntimeClaimClient.Claimed claimed = claims.claim(machineId, url, claim, claimToken, timeout);
            long answered = System.nanoTime();
            if (current.state() != MachineState.STARTED) {
                markReady(machineId, port.getAsInt());
            }
            LOG.atInfo().addKeyValue("session", session).addKeyValue("machine", machineId)
                    .addKeyValue("pool", current.pool()).addKeyValue("written", claimed.written())
                    .addKeyValue("deleted", claimed.deleted()).addKeyValue("outcome", claimed.outcome())
                    .addKeyValue("recordMillis", TimeUnit.NANOSECONDS.toMillis(recorded - started))
                    .addKeyValue("runtimeMillis", TimeUnit.NANOSECONDS.toMillis(answered - recorded))
                    .log("pooled machine claimed");
            return new Machine(machineId, session, MachineState.STARTED, url.toString(), REGION, current.createdAt());
        }));
    }

    /**
     * A claim sent again for a machine claimed before (a session resumed, a CREATE delivered again): a launch since
     * the claim is the session's machine already, from its claimed bundle and environment, so a machine that is not
     * running is launched so, and one whose runtime names the session is left as it is. Only the first process,
     * launched in pool mode, still needs the claim (it was recorded before it was sent): then empty.
     */
    private Optional<Machine> servingAlready(MachineRecord claimed, Duration timeout) {
        String id = claimed.id();
        if (!alive(claimed)) {
            try {
                MachineRecord running = relaunch(claimed);
                LOG.atInfo().addKeyValue("session", claimed.sessionId()).addKeyValue("machine", id)
                        .addKeyValue("pid", running.pid()).log("claimed machine launched as the session's");
            } catch (IOException e) {
                throw new MachineException("cannot start machine " + id + ": " + e, false, e);
            }
            return Optional.of(awaitReady(toMachine(require(id)), timeout));
        }
        if (claimed.state() == MachineState.SUSPENDED) {
            resume(claimed);
        }
        URI url = health.awaitReady(id, runtimeOf(id), timeout);
        RuntimeHealthProbe.Health now;
        try {
            now = health.check(url);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while claiming machine " + id, true, e);
        }
        if (!claimed.sessionId().toString().equals(now.session())) {
            return Optional.empty();
        }
        MachineRecord ready = markReady(id, url.getPort());
        return Optional.of(new Machine(id, ready.sessionId(), MachineState.STARTED, url.toString(), REGION, ready.createdAt()));
    }

    private void requireClaimable(MachineRecord record, UUID session) {
        if (record.pool() == null) {
            throw machineFailure(record.id(), "is not a pooled machine: session " + session + " cannot claim it");
        }
        if (!record.isPooled() && !record.sessionId().equals(session)) {
            throw machineFailure(record.id(), "was claimed by another session: session " + session + " cannot claim it");
        }
    }

    /**
     * From here on the machine is the session's: a launch after a stop or a crash starts it with the session's files and
     * live-edit wiring, and no claim token.
     */
    private MachineRecord recordClaim(MachineRecord pooled, MachineClaim claim) {
        Map<String, String> env = new HashMap<>(pooled.env());
        env.remove(POOL_TOKEN_ENV);
        if (claim.syncUrl() != null) {
            env.put(SYNC_URL_ENV, claim.syncUrl().toString());
            env.put(SYNC_TOKEN_ENV, claim.syncToken());
        }
        MachineRecord claimed = pooled.claimed(claim.sessionId(), claim.projectId(), env);
        try {
            machines.writeClaimedBundle(pooled.id(), claim);
            machines.write(claimed);
        } catch (IOException e) {
            throw new MachineException("cannot record machine " + pooled.id() + " as claimed by session "
                    + claim.sessionId() + ": " + e, true, e);
        }
        sessionOfMachine.put(pooled.id(), claim.sessionId());
        return claimed;
    }

    /** Stops the machines this driver started when {@link LocalMachinesSettings#stopMachinesOnClose()}, else leaves them. */
    @Override
    public void close() {
        if (!settings.stopMachinesOnClose()) {
            return;
        }
        for (String id : List.copyOf(launched.keySet())) {
            try {
                stop(id);
            } catch (MachineException e) {
                LOG.atWarn().addKeyValue("machine", id).addKeyValue("error", e.getMessage()).log("machine not stopped on close");
            }
        }
    }

    private Optional<MachineRecord> findRecord(UUID sessionId) {
        List<MachineRecord> found = new ArrayList<>();
        for (String id : machines.ids()) {
            UUID known = sessionOfMachine.get(id);
            if (known != null && !known.equals(sessionId)) {
                continue;
            }
            machines.read(id).ifPresent(record -> {
                if (record.sessionId() != null) {
                    sessionOfMachine.put(id, record.sessionId());
                }
                if (sessionId.equals(record.sessionId())) {
                    found.add(record);
                }
            });
        }
        return found.stream().max(Comparator.comparing(MachineRecord::createdAt));
    }

    /** The slot's machine that no session has claimed. */
    private Optional<MachineRecord> findPooledRecord(UUID slot) {
        List<MachineRecord> found = new ArrayList<>();
        for (String id : machines.ids()) {
            if (!sessionOfMachine.containsKey(id)) {
                machines.read(id).filter(record -> record.isPooled() && slot.equals(record.slot())).ifPresent(found::add);
            }
        }
        return found.stream().max(Comparator.comparing(MachineRecord::createdAt));
    }

    /** Runs {@code body} under the lock of the record's session, or of its slot while no session has claimed it. */
    private <T> T locked(MachineRecord record, Supplier<T> body) {
        return record.isPooled() ? slotLocks.call(record.slot(), body) : sessionLocks.call(record.sessionId(), body);
    }

    private static Map<String, String> pooledEnv(PooledMachineSpec spec) {
        Map<String, String> env = new HashMap<>(spec.env());
        env.put(POOL_TOKEN_ENV, spec.claimToken());
        return env;
    }

    private PooledMachine toPooled(MachineRecord record) {
        if (record.state() == MachineState.STOPPED || !alive(record)) {
            return new PooledMachine(record.id(), record.pool(), record.slot(), MachineState.STOPPED, null, REGION,
                    record.createdAt());
        }
        String url = record.state() == MachineState.STARTED && record.port() != null ? url(record.port()).toString() : null;
        return new PooledMachine(record.id(), record.pool(), record.slot(), record.state(), url, REGION, record.createdAt());
    }

    private Machine toMachine(MachineRecord record) {
        if (record.isPooled()) {
            throw machineFailure(record.id(), "is a pooled machine no session has claimed yet");
        }
        if (record.state() == MachineState.STOPPED || !alive(record)) {
            return new Machine(record.id(), record.sessionId(), MachineState.STOPPED, null, REGION, record.createdAt());
        }
        String url = record.state() == MachineState.STARTED && record.port() != null ? url(record.port()).toString() : null;
        return new Machine(record.id(), record.sessionId(), record.state(), url, REGION, record.createdAt());
    }

    private static boolean alive(MachineRecord record) {
        RuntimeProcess process = record.process();
        return process != null && process.alive();
    }

    private MachineRecord relaunch(MachineRecord record) throws IOException {
        kill(record);
        return launch(record);
    }

    private MachineRecord launch(MachineRecord record) throws IOException {
        String id = record.id();
        machines.clearPort(id);
        List<String> command = new ArrayList<>();
        command.add(settings.javaCommand());
        command.addAll(settings.jvmOptions());
        command.addAll(classData.launchOptions());
        command.add("-cp");
        command.add(settings.classpath());
        command.add(RUNTIME_MAIN_CLASS);
        command.add("--port=0");
        command.add("--bind=" + LOOPBACK);
        command.add("--work-dir=" + machines.work(id));
        command.add("--bundle=" + machines.bundle(id));
        command.add("--port-file=" + machines.portFile(id));
        if (!record.isPooled()) {
            command.add("--session-id=" + record.sessionId());
        }
        ProcessBuilder builder = new ProcessBuilder(command)
                .directory(machines.dir(id).toFile())
                .redirectErrorStream(true)
                // a file, not a pipe: the runtime must outlive a driver killed with SIGKILL
                .redirectOutput(Redirect.appendTo(machines.log(id).toFile()));
        builder.environment().putAll(record.env());
        // shared by every machine under the root: a template's dependencies are prepared once, not per session
        builder.environment().put(DEPS_CACHE_ENV, machines.dependencyCache().toString());
        Process process = builder.start();
        MachineRecord running = record.launched(RuntimeProcess.of(process.toHandle()));
        try {
            // the runtime reads no input; closing the pipe now leaves nothing that ties it to this JVM
            process.getOutputStream().close();
            machines.write(running);
        } catch (IOException | RuntimeException e) {
            process.destroyForcibly();
            throw e;
        }
        launched.put(id, process);
        return running;
    }

    private MachineException machineFailure(String id, String problem) {
        return new MachineException("machine " + id + " " + problem, false);
    }

    /**
     * Where the machine's runtime answers: null until it wrote its port; throws once it cannot
     * become ready. The record is read once; each look only asks the kernel whether the process lives.
     */
    private RuntimeHealthProbe.Target runtimeOf(String id) {
        MachineRecord record = require(id);
        if (record.state() == MachineState.STOPPED) {
            throw machineFailure(id, "is stopped");
        }
        if (record.state() == MachineState.SUSPENDED) {
            throw machineFailure(id, "is suspended: start it first");
        }
        if (record.process() == null) {
            throw machineFailure(id, "was never launched");
        }
        ProcessHandle process = record.process().handle().orElseThrow(() -> exited(id));
        return () -> {
            if (!process.isAlive()) {
                MachineRecord now = machines.read(id).orElseThrow(() -> machineFailure(id, "was destroyed while starting"));
                if (now.state() == MachineState.STOPPED || !Objects.equals(now.pid(), record.pid())) {
                    throw machineFailure(id, "was stopped or restarted while starting");
                }
                throw exited(id);
            }
            OptionalInt port = machines.port(id);
            return port.isPresent() ? url(port.getAsInt()) : null;
        };
    }

    private MachineException exited(String id) {
        return new MachineException("preview runtime of machine " + id + " exited" + exitCode(id)
                + " before it was ready; end of runtime.log:\n" + machines.logTail(id, LOG_TAIL_BYTES), false);
    }

    private String exitCode(String id) {
        Process process = launched.get(id);
        if (process == null) {
            return "";
        }
        try {
            // the process is gone; this JVM may not have collected its status yet
            return process.waitFor(1, TimeUnit.SECONDS) ? " with code " + process.exitValue() : "";
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new MachineException("interrupted while reading the exit code of machine " + id, true, e);
        }
    }

    private MachineRecord markReady(String id, int port) {
        MachineRecord current = machines.read(id).orElseThrow(() -> machineFailure(id, "was destroyed while starting"));
        OptionalInt written = machines.port(id);
        if (current.state() == MachineState.STOPPED || current.state() == MachineState.SUSPENDED || written.isEmpty()
                || written.getAsInt() != port) {
            throw machineFailure(id, "was stopped or restarted while starting");
        }
        try {
            MachineRecord ready = current.ready(port);
            machines.write(ready);
            return ready;
        } catch (IOException e) {
            throw new MachineException("cannot record machine " + id + " as ready: " + e, true, e);
        }
    }

    private void kill(MachineRecord record) {
        RuntimeProcess process = record.process();
        if (process != null) {
            process.kill(settings.stopGrace(), record.state() == MachineState.SUSPENDED);
        }
        launched.remove(record.id());
    }

    private String newMachineId() {
        byte[] random = new byte[6];
        while (true) {
            ThreadLocalRandom.current().nextBytes(random);
            String id = "local-" + HexFormat.of().formatHex(random);
            try {
                if (machines.create(id)) {
                    return id;
                }
            } catch (IOException e) {
                throw new MachineException("cannot create a machine directory under " + machines.root() + ": " + e, false, e);
            }
        }
    }

    private void discard(String id) {
        Process process = launched.remove(id);
        if (process != null) {
            process.destroyForcibly();
        }
        try {
            machines.delete(id);
        } catch (IOException e) {
            LOG.atWarn().addKeyValue("machine", id).addKeyValue("error", e.toString()).log("half-created machine not deleted");
        }
    }

    private MachineRecord require(String machineId) {
        if (!MachineDirectory.isMachineId(machineId)) {
            throw new MachineException("no local machine " + machineId, false);
        }
        return machines.read(machineId).orElseThrow(() -> machineFailure(machineId, "does not exist"));
    }

    private static URI url(int port) {
        return URI.create("http://" + LOOPBACK + ":" + port);
    }
}
