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

import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;

/** Our own driver seam, recorded: remembers every call and fails on cue. For unit-level provisioning tests. */
final class RecordingMachineDriver implements MachineDriver {

    final List<MachineSpec> created = new ArrayList<>();
    final List<String> destroyed = new ArrayList<>();
    final List<String> started = new ArrayList<>();
    /** Sessions looked up with {@link #findBySession}, in call order. */
    final List<UUID> lookedUp = new ArrayList<>();
    private final Map<String, Machine> machines = new LinkedHashMap<>();
    private final Deque<RuntimeException> createFailures = new ArrayDeque<>();
    private final Deque<RuntimeException> readyFailures = new ArrayDeque<>();
    private int count;

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
    public synchronized Machine awaitReady(Machine machine, Duration timeout) {
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
        Machine machine = machines.get(machineId).withState(MachineState.STARTING, null);
        machines.put(machineId, machine);
        return machine;
    }

    @Override
    public synchronized void stop(String machineId) {
        machines.computeIfPresent(machineId, (id, m) -> m.withState(MachineState.STOPPED, null));
    }

    @Override
    public synchronized void destroy(String machineId) {
        if (machines.remove(machineId) != null) {
            destroyed.add(machineId);
        }
    }

    @Override
    public synchronized List<Machine> list() {
        return List.copyOf(machines.values());
    }

    @Override
    public void close() {
    }
}
