package dev.velocitypreview.machines.local;

import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineState;

import static org.assertj.core.api.Assertions.assertThat;

class LocalMachineInventoryTest {

    @TempDir
    Path root;

    @Test
    void listsEveryMachineUnderTheRootWithItsSessionAndCreationTime() throws Exception {
        MachineDirectory machines = new MachineDirectory(root);
        UUID session = UUID.randomUUID();
        Instant created = Instant.parse("2026-06-01T10:00:00Z");
        machines.create("local-00000000000a");
        machines.write(new MachineRecord("local-00000000000a", session, UUID.randomUUID(), "user-1", "attempt-1",
                null, null, null, MachineState.STARTING, created, Map.of(), null, null));
        machines.create("local-00000000000b"); // half created: no record yet, so not a machine to anyone

        assertThat(new LocalMachineInventory(root).list()).containsExactly(
                new Machine("local-00000000000a", session, MachineState.STOPPED, null, "local", created));
    }

    @Test
    void aMissingRootListsNothing() {
        assertThat(new LocalMachineInventory(root.resolve("never-created")).list()).isEmpty();
    }
}
