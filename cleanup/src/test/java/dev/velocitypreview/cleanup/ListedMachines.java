package dev.velocitypreview.cleanup;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineInventory;

/** An inventory that lists what the test put in it, or fails when told to. */
final class ListedMachines implements MachineInventory {

    private final List<Machine> machines = new CopyOnWriteArrayList<>();
    private volatile boolean failing;

    void add(Machine machine) {
        machines.add(machine);
    }

    void remove(String machineId) {
        machines.removeIf(machine -> machine.id().equals(machineId));
    }

    void failing(boolean fail) {
        failing = fail;
    }

    @Override
    public List<Machine> list() {
        if (failing) {
            throw new MachineException("listing refused by the test", true);
        }
        return List.copyOf(machines);
    }

    @Override
    public void close() {
    }
}
