package dev.velocitypreview.faults;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

import javax.sql.DataSource;

import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.command.SessionCommandCodec;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.topic.Topics;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineState;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Scenario 1: the provisioner (and the relay it hosts) is SIGKILLed in the middle of CREATEs, at
 * every step of them in turn, and restarted. Redelivered commands must neither lose a session nor
 * give one a second machine.
 *
 * <p>Each round stops the provisioner at its step with a database lock it has to wait for (the row
 * insert, the read of the project's files, the write after the machine exists, the write after it
 * is healthy), checks in {@code pg_stat_activity} that it is waiting there, and only then kills it:
 * the step is chosen, not raced for.
 */
class ProvisionerKillIT {

    private static final int SESSIONS_PER_ROUND = 4;

    /** Where a CREATE was when the provisioner died. */
    enum Step { COMMAND_TAKEN, ROW_INSERTED, MACHINE_CREATED, STARTING, ACTIVE }

    /** The provisioner's first look at a project's files, once the session's row is committed. */
    private static final String FILES_LOOKUP = "SELECT EXISTS (SELECT 1 FROM project_files";

    private static FaultPlatform platform;
    private static DataSource db;
    /** A project that exists before the rounds, so its sessions' first transaction does not write files. */
    private static UUID project;

    @BeforeAll
    static void platform() {
        platform = FaultPlatform.shared();
        platform.ensureStandard();
        db = platform.dataSource();
        project = platform.staticProject();
        SessionApi.Answer first = platform.request("provisioner-kill", project);
        assertThat(first.status()).as(first.body()).isEqualTo(202);
        await().atMost(Duration.ofSeconds(60)).until(() -> allActive(List.of(first.sessionId())));
    }

    @Test
    void provisionerKilledAtEachStepOfCreateLosesNoSessionAndLeaksNoMachine() {
        long started = System.nanoTime();
        Map<Step, Integer> caught = new EnumMap<>(Step.class);
        for (Step step : List.of(Step.COMMAND_TAKEN, Step.ROW_INSERTED, Step.MACHINE_CREATED, Step.STARTING)) {
            List<UUID> inFlight = new ArrayList<>();
            Map<UUID, Step> at;
            try (DatabaseHold hold = DatabaseHold.open(db)) {
                List<UUID> stopped = stopAt(step, hold, inFlight);
                platform.service("p1").kill9();
                at = steps(inFlight);
                at.values().forEach(s -> caught.merge(s, 1, Integer::sum));
                for (UUID id : stopped) {
                    assertThat(at.get(id)).as("session %s, held at %s, was killed at", id, step).isEqualTo(step);
                }
            }
            platform.startProvisioner("p1");
            await().atMost(Duration.ofSeconds(90)).until(() -> allActive(inFlight));
        }
        Audit.Report report = Audit.run(platform);
        assertThat(caught.keySet()).as("steps the kills caught sessions at: " + caught)
                .contains(Step.COMMAND_TAKEN, Step.ROW_INSERTED, Step.MACHINE_CREATED, Step.STARTING);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.put("rounds", caught.size());
        figures.put("sessions", 4 * SESSIONS_PER_ROUND + 1);
        figures.put("caught at step", caught);
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("1 provisioner kill -9 during CREATE", figures);
        platform.terminateActiveSessions();
    }

    @Test
    void aSuspendedSessionOutlivesAProvisionerKillAndWakesOnTheProcessItWasSuspendedIn() throws Exception {
        long started = System.nanoTime();
        SessionApi.Answer answer = platform.request("provisioner-kill-suspended", project);
        assertThat(answer.status()).as(answer.body()).isEqualTo(202);
        UUID id = answer.sessionId();
        await().atMost(Duration.ofSeconds(60)).until(() -> allActive(List.of(id)));
        FaultPlatform.Row active = platform.rows().get(id);
        long pid = pidOf(active.machineId());
        publish(SessionCommand.suspend(id, active.userId(), Instant.now()));
        await().atMost(Duration.ofSeconds(60)).until(() -> platform.rows().get(id).status() == SessionStatus.SUSPENDED);

        platform.service("p1").kill9();
        platform.startProvisioner("p1");

        assertThat(platform.rows().get(id).status()).as("startup recovery left it suspended")
                .isEqualTo(SessionStatus.SUSPENDED);
        assertThat(platform.machines.findBySession(id).map(Machine::state)).contains(MachineState.SUSPENDED);
        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).as("its process, memory kept").contains(true);
        publish(SessionCommand.resume(id, active.userId(), Instant.now()));
        await().atMost(Duration.ofSeconds(60)).until(() -> allActive(List.of(id)));

        FaultPlatform.Row resumed = platform.rows().get(id);
        assertThat(resumed.machineId()).isEqualTo(active.machineId());
        assertThat(pidOf(resumed.machineId())).as("woken by the restarted provisioner, not launched again").isEqualTo(pid);
        for (String router : List.of("r1", "r2")) {
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(Audit.get(URI.create(
                    "http://127.0.0.1:" + platform.routerPorts.get(router) + "/s/" + id + "/")).statusCode())
                    .isEqualTo(200));
        }
        Audit.Report report = Audit.run(platform);
        Map<String, Object> figures = new LinkedHashMap<>();
        figures.putAll(report.figures());
        figures.put("scenario s", Duration.ofNanos(System.nanoTime() - started).toSeconds());
        platform.figures("1b provisioner kill -9 with a suspended session", figures);
        platform.terminateActiveSessions();
    }

    private static void publish(SessionCommand command) throws Exception {
        try (KafkaProducer<byte[], byte[]> producer = platform.producer()) {
            producer.send(new ProducerRecord<>(Topics.SESSION_COMMANDS.name(),
                    command.sessionId().toString().getBytes(StandardCharsets.UTF_8), SessionCommandCodec.encode(command)))
                    .get(30, TimeUnit.SECONDS);
        }
    }

    /** The runtime process of a local machine, as its {@code machine.json} names it. */
    private static long pidOf(String machineId) throws IOException {
        String record = Files.readString(platform.machinesRoot.resolve(machineId).resolve("machine.json"));
        Matcher pid = Pattern.compile("\"pid\":(\\d+)").matcher(record);
        assertThat(pid.find()).as("pid in " + record).isTrue();
        return Long.parseLong(pid.group(1));
    }

    /**
     * Requests this round's sessions into {@code inFlight} and returns once the provisioner waits at
     * {@code step} for the ones returned.
     */
    private static List<UUID> stopAt(Step step, DatabaseHold hold, List<UUID> inFlight) {
        switch (step) {
            case COMMAND_TAKEN -> {
                hold.lockTable("preview_sessions", "SHARE");
                request(inFlight);
                awaitWaiting("INSERT INTO preview_sessions", SESSIONS_PER_ROUND);
                return List.copyOf(inFlight);
            }
            case ROW_INSERTED -> {
                hold.lockTable("project_files", "ACCESS EXCLUSIVE");
                request(inFlight);
                // the rows are committed; each session waits to learn whether its project has files
                awaitWaiting(FILES_LOOKUP, SESSIONS_PER_ROUND);
                return List.copyOf(inFlight);
            }
            case MACHINE_CREATED -> {
                List<UUID> locked;
                try (DatabaseHold files = DatabaseHold.open(db).lockTable("project_files", "ACCESS EXCLUSIVE")) {
                    request(inFlight);
                    awaitWaiting(FILES_LOOKUP, SESSIONS_PER_ROUND);
                    locked = hold.lockSessionRows(inFlight, SessionStatus.PROVISIONING.name());
                }
                assertThat(locked).containsExactlyInAnyOrderElementsOf(inFlight);
                awaitWaiting("UPDATE preview_sessions", SESSIONS_PER_ROUND);
                return locked;
            }
            case STARTING -> {
                request(inFlight);
                List<UUID> locked = new ArrayList<>();
                // a runtime takes hundreds of milliseconds to come up: rows sit in STARTING meanwhile
                await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(1)).pollDelay(Duration.ZERO)
                        .until(() -> {
                            locked.addAll(hold.lockSessionRows(inFlight, SessionStatus.STARTING.name()));
                            return !locked.isEmpty() || allActive(inFlight);
                        });
                assertThat(locked).as("sessions caught in STARTING").isNotEmpty();
                return List.copyOf(locked);
            }
            default -> throw new IllegalArgumentException("no way to stop at " + step);
        }
    }

    private static void request(List<UUID> inFlight) {
        for (int i = 0; i < SESSIONS_PER_ROUND; i++) {
            SessionApi.Answer answer = platform.request("provisioner-kill", project);
            assertThat(answer.status()).as(answer.body()).isEqualTo(202);
            inFlight.add(answer.sessionId());
        }
    }

    private static void awaitWaiting(String statement, int count) {
        await().atMost(Duration.ofSeconds(60))
                .until(() -> DatabaseHold.waiting(db, statement), waiting -> waiting >= count);
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
                step = Step.COMMAND_TAKEN;
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

    private static boolean allActive(List<UUID> sessions) {
        Map<UUID, FaultPlatform.Row> rows = platform.rows();
        return sessions.stream().allMatch(id -> rows.containsKey(id) && rows.get(id).status() == SessionStatus.ACTIVE);
    }
}
