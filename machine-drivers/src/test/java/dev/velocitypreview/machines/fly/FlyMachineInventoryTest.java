package dev.velocitypreview.machines.fly;

import java.net.URI;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;
import mockwebserver3.MockWebServer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FlyMachineInventoryTest {

    private final MockWebServer fly = new MockWebServer();
    private final RecordingFly api = new RecordingFly();
    private FlyMachineInventory inventory;

    @BeforeEach
    void start() throws Exception {
        fly.setDispatcher(api);
        fly.start();
        inventory = new FlyMachineInventory(URI.create(fly.url("/").toString()), new Secret("read-token"),
                FlyMachinesDriverTest.APP);
    }

    @AfterEach
    void stop() {
        inventory.close();
        fly.close();
    }

    @Test
    void listsTheAppsPreviewMachinesWithTheirCreationTime() {
        UUID session = UUID.randomUUID();
        api.then(200, "[" + FlyMachinesDriverTest.machineJson("148ed193b95e89", "stopped", session, "ams", "\"stop\"",
                "2024-05-20T17:07:36Z") + "]");

        assertThat(inventory.list()).containsExactly(new Machine("148ed193b95e89", session, MachineState.STOPPED, null,
                "ams", Instant.parse("2024-05-20T17:07:36Z")));
        FlyMachinesDriverTest.assertGet(api.requests().get(0), FlyMachinesDriverTest.MACHINES,
                Map.of("metadata.managed_by", "velocity-preview"));
        assertThat(api.requests().get(0).getHeaders().get("Authorization")).isEqualTo("Bearer read-token");
    }

    @Test
    void pooledMachinesNoSessionClaimedAreListedApartFromTheSessionsMachines() {
        UUID session = UUID.randomUUID();
        UUID slot = UUID.randomUUID();
        String pooled = "{\"id\":\"0e286064b18670\",\"state\":\"suspended\",\"region\":\"ams\","
                + "\"created_at\":\"2024-05-20T17:08:00Z\",\"config\":{\"metadata\":{\"managed_by\":\"velocity-preview\","
                + "\"pool\":\"react-abc123\",\"pool_slot\":\"" + slot + "\"}}}";
        String listing = "[" + FlyMachinesDriverTest.machineJson("148ed193b95e89", "started", session, "ams", "\"stop\"",
                "2024-05-20T17:07:36Z") + "," + pooled + "]";
        api.then(200, listing).then(200, listing);

        assertThat(inventory.list()).extracting(Machine::id).containsExactly("148ed193b95e89");
        assertThat(inventory.listPooled()).containsExactly(new PooledMachine("0e286064b18670", "react-abc123", slot,
                MachineState.SUSPENDED, null, "ams", Instant.parse("2024-05-20T17:08:00Z")));
    }

    @Test
    void aRefusedListingIsAnErrorNotAnEmptyList() {
        api.then(401, "{\"error\":\"unauthorized\"}");

        assertThatThrownBy(inventory::list).isInstanceOf(MachineException.class);
    }
}
