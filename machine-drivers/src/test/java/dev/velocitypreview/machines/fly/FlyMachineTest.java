package dev.velocitypreview.machines.fly;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.UUID;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import dev.velocitypreview.machines.fly.FlyMachinesSettings.Autostop;

class FlyMachineTest {

    @ParameterizedTest(name = "autostop {0} reads as {1}")
    @CsvSource(nullValues = "unknown", value = {
            "true, STOP",
            "false, OFF",
            "'\"stop\"', STOP",
            "'\"off\"', OFF",
            "'\"suspend\"', SUSPEND",
            "null, unknown",
            "'\"hibernate\"', unknown",
            "3, unknown"})
    void autostopIsReadAsABooleanOrAStringAndAnythingElseAsUnknown(String raw, Autostop expected) {
        String json = FlyMachinesDriverTest.machineJson("e784079b449483", "started", UUID.randomUUID(), "ams", raw,
                "2024-05-20T17:07:36Z");

        FlyMachine machine = FlyApi.JSON.readValue(json, FlyMachine.class);

        assertThat(machine.services()).singleElement().satisfies(service -> {
            assertThat(service.autostop()).isEqualTo(expected);
            assertThat(service.internalPort()).isEqualTo(8080);
            assertThat(service.autostart()).isTrue();
        });
    }

    @ParameterizedTest(name = "created_at {0} reads as {1}")
    @CsvSource(nullValues = "unknown", value = {
            "2024-05-20T17:07:36Z, 2024-05-20T17:07:36Z",
            "2024-05-20T17:07:36.5+02:00, 2024-05-20T15:07:36.500Z",
            "yesterday, unknown"})
    void createdAtIsReadAsAnInstantAndAnythingElseAsUnknown(String raw, String expected) {
        String json = FlyMachinesDriverTest.machineJson("e784079b449483", "started", UUID.randomUUID(), "ams", "true", raw);

        FlyMachine machine = FlyApi.JSON.readValue(json, FlyMachine.class);

        assertThat(machine.createdAtInstant()).isEqualTo(expected == null ? null : Instant.parse(expected));
    }
}
