package dev.velocitypreview.machines.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.machines.MachineState;

class MachineDirectoryTest {

    @TempDir
    Path root;

    @Test
    void aRecordReadsBackAsWrittenWithReadableTimestamps() throws Exception {
        MachineDirectory machines = new MachineDirectory(root);
        assertThat(machines.create("local-0123456789ab")).isTrue();
        MachineRecord record = new MachineRecord("local-0123456789ab", UUID.randomUUID(), UUID.randomUUID(), "user-1",
                "attempt-1", 4242L, Instant.parse("2026-01-02T03:04:05.678Z"), 8123, MachineState.STARTED,
                Instant.parse("2026-01-02T03:04:05Z"), Map.of("NODE_ENV", "development"), null, null);

        machines.write(record);

        assertThat(machines.read("local-0123456789ab")).contains(record);
        assertThat(Files.readString(root.resolve("local-0123456789ab/machine.json")))
                .contains("\"createdAt\":\"2026-01-02T03:04:05Z\"", "\"state\":\"STARTED\"", "\"pid\":4242");
        assertThat(machines.ids()).containsExactly("local-0123456789ab");
    }

    @Test
    void aRecordWrittenBeforePoolsReadsAsASessionsMachineAndAPooledOneReadsBackWithItsPoolAndSlot() throws Exception {
        MachineDirectory machines = new MachineDirectory(root);
        UUID session = UUID.randomUUID();
        machines.create("local-0123456789ab");
        Files.writeString(root.resolve("local-0123456789ab/machine.json"), """
                {"id":"local-0123456789ab","sessionId":"%s","projectId":null,"userId":"user-1","attemptId":"attempt-1",\
                "pid":4242,"pidStartedAt":null,"port":8123,"state":"STARTED","createdAt":"2026-01-02T03:04:05Z","env":{}}"""
                .formatted(session));
        UUID slot = UUID.randomUUID();
        MachineRecord pooled = new MachineRecord("local-00000000000c", null, null, null, null, 77L, null, null,
                MachineState.STARTING, Instant.parse("2026-01-02T03:04:05Z"), Map.of("PREVIEW_POOL_TOKEN", "t"), "react-abc", slot);
        machines.create("local-00000000000c");
        machines.write(pooled);

        assertThat(machines.read("local-0123456789ab")).hasValueSatisfying(old -> {
            assertThat(old.sessionId()).isEqualTo(session);
            assertThat(old.isPooled()).isFalse();
            assertThat(old.pool()).isNull();
            assertThat(old.slot()).isNull();
        });
        assertThat(machines.read("local-00000000000c")).contains(pooled);
        assertThat(pooled.isPooled()).isTrue();
    }

    @Test
    void aDirectoryWithoutARecordOrWithAGarbledOneIsNoMachine() throws Exception {
        MachineDirectory machines = new MachineDirectory(root);
        machines.create("local-aaaaaaaaaaaa");
        machines.create("local-bbbbbbbbbbbb");
        Files.writeString(root.resolve("local-bbbbbbbbbbbb/machine.json"), "{not json");
        Files.createDirectory(root.resolve("unrelated"));

        assertThat(machines.read("local-aaaaaaaaaaaa")).isEmpty();
        assertThat(machines.read("local-bbbbbbbbbbbb")).isEmpty();
        assertThat(machines.ids()).containsExactlyInAnyOrder("local-aaaaaaaaaaaa", "local-bbbbbbbbbbbb");
    }

    @Test
    void onlyMachineShapedIdsBecomePaths() {
        assertThat(MachineDirectory.isMachineId("local-0123456789ab")).isTrue();
        assertThat(MachineDirectory.isMachineId("local-0123456789AB")).isFalse();
        assertThat(MachineDirectory.isMachineId("../local-0123456789ab")).isFalse();
        assertThat(MachineDirectory.isMachineId("local-0123456789ab/..")).isFalse();
    }
}
