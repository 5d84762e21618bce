package dev.velocitypreview.faults;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Predicate;
import java.util.stream.Collectors;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.machines.Machine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 1: the provisioner (and the relay it hosts) is SIGKILLed in the middle of CREATEs, at a
 * different step each round, and restarted. Redelivered commands must neither lose a session nor
 * give one a second machine.
 */
class ProvisionerKillIT {

    private static final int ROUNDS = 3;
    private static final int SESSIONS_PER_ROUND = 4;

    /** Where a CREATE was when the provisioner died. */
    enum Step { NOT_STARTED, ROW_INSERTED, MACHINE_CREATED, STARTING, ACTIVE }

    private static FaultPlatform platform;

    @BeforeAll
    static void platform() {
        platform = FaultPlatform.shared();
        platform.ensureStandard();
    }

    @Test
    void provisionerKilledAtEachStepOfCreateLosesNoSessionAndLeaksNoMachine() {
        long started = System.nanoTime();
        Map<Step, Integer> caught = new EnumMap<>(Step.class);
        for (int round = 0; round < ROUNDS; round++) {
            ServiceProcess provisioner = platform.service("p1");
            long machinesBefore = machineRecords();
            List<UUID> inFlight = new ArrayList<>();
            for (int i = 0; i < SESSIONS_PER_ROUND; i++) {
                SessionApi.Answer answer = platform.request("provisioner-kill");
                assertThat(answer.status()).as(answer.body()).isEqualTo(202);
                inFlight.add(answer.sessionId());
            }
            // cheap looks (one query, one directory listing), so they fire within the step they watch for
            List<Predicate<List<UUID>>> triggers = List.of(
                    sessions -> sessions.stream().anyMatch(platform.rows()::containsKey),
                    sessions -> machineRecords() > machinesBefore,
                    sessions -> sessions.stream().map(platform.rows()::get)
                            .anyMatch(row -> row != null && row.status() == SessionStatus.STARTING));
            Predicate<List<UUID>> trigger = triggers.get(round % triggers.size());
            await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1)).pollDelay(Duration.ZERO)
                    .until(() -> trigger.test(inFlight) || allActive(inFlight));
            provisioner.kill9();
            steps(inFlight).values().forEach(step -> caught.merge(step, 1, Integer::sum));

            platform.startProvisioner("p1");
            await().atMost(Duration.ofSeconds(90)).until(() -> allActive(inFlight));
        }
        Audit.Report report = Audit.run(platform);
        // the step between the row insert and the machine create lasts milliseconds: either side of it will do
        assertThat(caught.keySet()).as("steps the kills caught sessions at: " + caught)
                .contains(Step.STARTING).containsAnyOf(Step.ROW_INSERTED, Step.MACHINE_CREATED);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("rounds", ROUNDS);
        figures.put("sessions", ROUNDS * SESSIONS_PER_ROUND);
        figures.put("caught at step", caught);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("1 provisioner kill -9 during CREATE", figures);
        platform.terminateActiveSessions();
    }

    /** The step each session is at, judged from its row and whether a machine carries its tag. */
    private static Map<UUID, Step> steps(List<UUID> sessions) {
        Map<UUID, FaultPlatform.Row> rows = platform.rows();
        Set<UUID> withMachine = platform.machines.list().stream().map(Machine::sessionId).collect(Collectors.toSet());
        Map<UUID, Step> steps = new LinkedHashMap<>();
        for (UUID id : sessions) {
            FaultPlatform.Row row = rows.get(id);
            Step step;
            if (row == null) {
                step = Step.NOT_STARTED;
            } else if (row.status() == SessionStatus.ACTIVE) {
                step = Step.ACTIVE;
            } else if (row.status() == SessionStatus.STARTING) {
                step = Step.STARTING;
            } else {
                step = withMachine.contains(id) ? Step.MACHINE_CREATED : Step.ROW_INSERTED;
            }
            steps.put(id, step);
        }
        return steps;
    }

    /** Machines on disk (a record is written once a machine's process is launched). */
    private static long machineRecords() {
        try (java.util.stream.Stream<java.nio.file.Path> dirs = java.nio.file.Files.list(platform.machinesRoot)) {
            return dirs.filter(dir -> java.nio.file.Files.exists(dir.resolve("machine.json"))).count();
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static boolean allActive(List<UUID> sessions) {
        Map<UUID, FaultPlatform.Row> rows = platform.rows();
        return sessions.stream().allMatch(id -> rows.containsKey(id) && rows.get(id).status() == SessionStatus.ACTIVE);
    }
}
