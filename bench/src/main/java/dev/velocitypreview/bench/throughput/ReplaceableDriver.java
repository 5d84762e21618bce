package dev.velocitypreview.bench.throughput;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.PooledMachineSpec;

/**
 * The provisioner's machine driver, replaceable between phases of the throughput benchmark (Fly's rate limits,
 * then lifted ones; a pool filled with lifted limits, then claimed within Fly's) without restarting the provisioner.
 * Each call goes to the driver current when it starts.
 */
final class ReplaceableDriver implements MachineDriver {

    private volatile MachineDriver current;

    ReplaceableDriver(MachineDriver first) {
        this.current = first;
    }

    /** Uses {@code next} for calls from now on; the caller still owns (and closes) the one it replaces. */
    void replace(MachineDriver next) {
        current = next;
    }

    @Override
    public Optional<Machine> findBySession(UUID sessionId) {
        return current.findBySession(sessionId);
    }

    @Override
    public Machine create(MachineSpec spec) {
        return current.create(spec);
    }

    @Override
    public Machine awaitReady(Machine machine, Duration timeout) {
        return current.awaitReady(machine, timeout);
    }

    @Override
    public Machine start(String machineId) {
        return current.start(machineId);
    }

    @Override
    public void stop(String machineId) {
        current.stop(machineId);
    }

    @Override
    public void suspend(String machineId) {
        current.suspend(machineId);
    }

    @Override
    public void destroy(String machineId) {
        current.destroy(machineId);
    }

    @Override
    public List<Machine> list() {
        return current.list();
    }

    @Override
    public PooledMachine createPooled(PooledMachineSpec spec) {
        return current.createPooled(spec);
    }

    @Override
    public PooledMachine awaitWarm(PooledMachine machine, Duration timeout) {
        return current.awaitWarm(machine, timeout);
    }

    @Override
    public Machine claim(String machineId, MachineClaim claim, String claimToken, Duration timeout) {
        return current.claim(machineId, claim, claimToken, timeout);
    }

    @Override
    public List<PooledMachine> listPooled() {
        return current.listPooled();
    }

    /** Closes nothing: the drivers belong to whoever made them. */
    @Override
    public void close() {
    }
}
