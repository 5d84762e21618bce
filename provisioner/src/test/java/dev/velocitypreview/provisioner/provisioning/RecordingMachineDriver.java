package dev.velocitypreview.provisioner.provisioning;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.PooledMachineSpec;

/**
 * Our own driver seam, recorded: remembers every call, fails on cue and holds a session's machine in its start
 * on cue. For provisioning tests, and for consumer tests that need one machine to be slow.
 */
public final class RecordingMachineDriver implements MachineDriver {

    final List<MachineSpec> created = new ArrayList<>();
    final List<String> destroyed = new ArrayList<>();
    final List<String> started = new ArrayList<>();
    final List<String> suspended = new ArrayList<>();
    /** Sessions looked up with {@link #findBySession}, in call order. */
    final List<UUID> lookedUp = new ArrayList<>();
    private final Map<String, Machine> machines = new LinkedHashMap<>();
    private final Deque<RuntimeException> createFailures = new ArrayDeque<>();
    private final Deque<RuntimeException> readyFailures = new ArrayDeque<>();
    private final Map<UUID, Hold> holds = new ConcurrentHashMap<>();
    private int count;

    /** A machine whose start is held: {@link #awaitReady} for its session waits until released. */
    public static final class Hold {
        private final CountDownLatch reached = new CountDownLatch(1);
        private final CountDownLatch released = new CountDownLatch(1);

        /** @return true once the provisioner is waiting for the held machine */
        public boolean awaitReached(long timeout, TimeUnit unit) throws InterruptedException {
            return reached.await(timeout, unit);
        }

        public boolean isReleased() {
            return released.getCount() == 0;
        }

        public void release() {
            released.countDown();
        }
    }

    /** From now on, waiting for {@code sessionId}'s machine to be ready blocks until the hold is released. */
    public Hold holdReady(UUID sessionId) {
        Hold hold = new Hold();
        holds.put(sessionId, hold);
        return hold;
    }

    synchronized void failNextCreate(RuntimeException failure) {
        createFailures.add(failure);
    }

    synchronized void failNextAwaitReady(RuntimeException failure) {
        readyFailures.add(failure);
    }

    /** A machine that exists already, as if created by an attempt that crashed before writing its id. */
    synchronized Machine existing(UUID sessionId, MachineState state) {
        Machine machine = new Machine("m-" + (++count), sessionId, state, null, "local");
        machines.put(machine.id(), machine);
        return machine;
    }

    /** The machine disappears, as if its host died: not destroyed through this driver. */
    synchronized void lose(String machineId) {
        machines.remove(machineId);
    }

    synchronized List<Machine> live() {
        return List.copyOf(machines.values());
    }

    @Override
    public synchronized Optional<Machine> findBySession(UUID sessionId) {
        lookedUp.add(sessionId);
        return machines.values().stream().filter(m -> m.sessionId().equals(sessionId)).findFirst();
    }

    @Override
    public synchronized Machine create(MachineSpec spec) {
        if (!createFailures.isEmpty()) {
            throw createFailures.poll();
        }
        // find-or-create, as the real drivers: the tag, not the call, decides whether a machine is new
        Optional<Machine> existing = machines.values().stream()
                .filter(m -> m.sessionId().equals(spec.sessionId())).findFirst();
        if (existing.isPresent()) {
            return existing.get().state() == MachineState.STOPPED ? start(existing.get().id()) : existing.get();
        }
        created.add(spec);
        Machine machine = new Machine("m-" + (++count), spec.sessionId(), MachineState.STARTING, null, "local");
        machines.put(machine.id(), machine);
        return machine;
    }

    @Override
    public Machine awaitReady(Machine machine, Duration timeout) {
        Hold hold = holds.get(machine.sessionId());
        if (hold != null) {
            // outside the lock: calls for other sessions go on while this one is held
            hold.reached.countDown();
            try {
                if (!hold.released.await(1, TimeUnit.MINUTES)) {
                    throw new MachineException("held machine " + machine.id() + " was not released in a minute", false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new MachineException("interrupted while machine " + machine.id() + " was held", false, e);
            }
        }
        return ready(machine);
    }

    private synchronized Machine ready(Machine machine) {
        if (!readyFailures.isEmpty()) {
            throw readyFailures.poll();
        }
        Machine current = machines.get(machine.id());
        if (current == null) {
            throw new MachineException("machine " + machine.id() + " is gone", false);
        }
        Machine ready = current.withState(MachineState.STARTED, "http://127.0.0.1:7/" + machine.id() + "/");
        machines.put(ready.id(), ready);
        return ready;
    }

    @Override
    public synchronized Machine start(String machineId) {
        started.add(machineId);
        if (!machines.containsKey(machineId)) {
            throw new MachineException("machine " + machineId + " does not exist", false);
        }
        Machine machine = machines.get(machineId).withState(MachineState.STARTING, null);
        machines.put(machineId, machine);
        return machine;
    }

    @Override
    public synchronized void stop(String machineId) {
        machines.computeIfPresent(machineId, (id, m) -> m.withState(MachineState.STOPPED, null));
    }

    @Override
    public synchronized void suspend(String machineId) {
        suspended.add(machineId);
        machines.computeIfPresent(machineId, (id, m) -> m.withState(MachineState.SUSPENDED, null));
    }

    @Override
    public synchronized void destroy(String machineId) {
        if (machines.remove(machineId) != null || pooled.remove(machineId) != null) {
            destroyed.add(machineId);
        }
    }

    // ---- warm pools: pooled machines are warm at once; a claim retags one with its session

    final List<PooledMachineSpec> createdPooled = new ArrayList<>();
    /** Every claim sent, in order: the machine it went to and what it said. */
    final List<Map.Entry<String, MachineClaim>> claims = new ArrayList<>();
    private final Map<String, PooledMachine> pooled = new LinkedHashMap<>();
    private final Map<String, String> tokens = new ConcurrentHashMap<>();
    private final Deque<RuntimeException> claimFailures = new ArrayDeque<>();

    synchronized void failNextClaim(RuntimeException failure) {
        claimFailures.add(failure);
    }

    synchronized List<PooledMachine> pooledNow() {
        return List.copyOf(pooled.values());
    }

    /** A pooled machine stopped behind the pool's back, as a local one is when its provisioner stops. */
    synchronized void stopPooled(String machineId) {
        pooled.computeIfPresent(machineId, (id, m) -> new PooledMachine(id, m.pool(), m.slot(), MachineState.STOPPED,
                null, m.region(), m.createdAt()));
    }

    /** A pooled machine nobody recorded, as one made by a provisioner that crashed before its place was written. */
    synchronized PooledMachine strayPooled(String pool) {
        PooledMachine machine = new PooledMachine("m-" + (++count), pool, UUID.randomUUID(), MachineState.STARTED,
                "http://127.0.0.1:7/pooled/", "local", java.time.Instant.now());
        pooled.put(machine.id(), machine);
        return machine;
    }

    @Override
    public synchronized PooledMachine createPooled(PooledMachineSpec spec) {
        Optional<PooledMachine> existing = pooled.values().stream().filter(m -> m.slot().equals(spec.slot())).findFirst();
        if (existing.isPresent()) {
            return existing.get();
        }
        createdPooled.add(spec);
        PooledMachine machine = new PooledMachine("m-" + (++count), spec.pool(), spec.slot(), MachineState.STARTING,
                null, "local", java.time.Instant.now());
        pooled.put(machine.id(), machine);
        tokens.put(machine.id(), spec.claimToken());
        return machine;
    }

    @Override
    public synchronized PooledMachine awaitWarm(PooledMachine machine, Duration timeout) {
        PooledMachine current = pooled.get(machine.id());
        if (current == null) {
            throw new MachineException("pooled machine " + machine.id() + " is gone", false);
        }
        PooledMachine warm = new PooledMachine(current.id(), current.pool(), current.slot(), MachineState.STARTED,
                "http://127.0.0.1:7/" + current.id() + "/", current.region(), current.createdAt());
        pooled.put(warm.id(), warm);
        return warm;
    }

    @Override
    public Machine claim(String machineId, MachineClaim claim, String claimToken, Duration timeout) {
        Hold hold = holds.get(claim.sessionId());
        if (hold != null) {
            hold.reached.countDown();
            try {
                if (!hold.released.await(1, TimeUnit.MINUTES)) {
                    throw new MachineException("held claim of " + machineId + " was not released in a minute", false);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.util.concurrent.CancellationException("interrupted while claiming " + machineId);
            }
        }
        return claimNow(machineId, claim, claimToken);
    }

    private synchronized Machine claimNow(String machineId, MachineClaim claim, String claimToken) {
        claims.add(Map.entry(machineId, claim));
        if (!claimFailures.isEmpty()) {
            throw claimFailures.poll();
        }
        if (!claimToken.equals(tokens.get(machineId))) {
            throw new MachineException("machine " + machineId + " refused the claim: wrong token", false);
        }
        Machine claimed = machines.get(machineId);
        if (claimed != null) {
            if (!claimed.sessionId().equals(claim.sessionId())) {
                throw new MachineException("machine " + machineId + " is claimed by another session", false);
            }
            return claimed;
        }
        PooledMachine machine = pooled.remove(machineId);
        if (machine == null) {
            throw new MachineException("pooled machine " + machineId + " is gone", false);
        }
        Machine session = new Machine(machineId, claim.sessionId(), MachineState.STARTED, machine.url(), machine.region(),
                machine.createdAt());
        machines.put(machineId, session);
        return session;
    }

    @Override
    public synchronized List<PooledMachine> listPooled() {
        return List.copyOf(pooled.values());
    }

    @Override
    public synchronized List<Machine> list() {
        return List.copyOf(machines.values());
    }

    @Override
    public void close() {
    }
}
