package dev.velocitypreview.machines.local;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineInventory;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;

/**
 * The machines of a {@link LocalProcessDriver}, read from its machine directories under the same root, by
 * another process (cleanup) that does not run machines itself: the sessions' machines in {@link #list()}, the pooled
 * machines no session has claimed in {@link #listPooled()}. A machine whose runtime is no longer running is
 * listed as {@link MachineState#STOPPED}, as the driver reports it: it still exists until it is destroyed.
 *
 * <p>Thread-safe; reads the files afresh on every call.
 */
public final class LocalMachineInventory implements MachineInventory {

    private final MachineDirectory machines;

    /** @param root the local driver's {@link LocalMachinesSettings#root()} */
    public LocalMachineInventory(Path root) {
        this.machines = new MachineDirectory(root.toAbsolutePath().normalize());
    }

    @Override
    public List<Machine> list() {
        List<Machine> all = new ArrayList<>();
        for (String id : machines.ids()) {
            machines.read(id).filter(record -> !record.isPooled()).ifPresent(record -> all.add(machineOf(record)));
        }
        return all;
    }

    @Override
    public List<PooledMachine> listPooled() {
        List<PooledMachine> all = new ArrayList<>();
        for (String id : machines.ids()) {
            machines.read(id).filter(MachineRecord::isPooled).ifPresent(record -> all.add(new PooledMachine(record.id(),
                    record.pool(), record.slot(), stateOf(record), null, LocalProcessDriver.REGION, record.createdAt())));
        }
        return all;
    }

    private static Machine machineOf(MachineRecord record) {
        // the address is the driver's business (it probes health before it hands one out); a listing names no url
        return new Machine(record.id(), record.sessionId(), stateOf(record), null, LocalProcessDriver.REGION,
                record.createdAt());
    }

    private static MachineState stateOf(MachineRecord record) {
        RuntimeProcess process = record.process();
        boolean running = record.state() != MachineState.STOPPED && process != null && process.alive();
        return running ? record.state() : MachineState.STOPPED;
    }

    @Override
    public void close() {
        // files only, nothing held open
    }
}
