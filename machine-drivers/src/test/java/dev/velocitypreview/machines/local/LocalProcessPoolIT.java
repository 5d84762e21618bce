package dev.velocitypreview.machines.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import tools.jackson.databind.json.JsonMapper;

import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.machines.PooledMachineSpec;
import dev.velocitypreview.machines.ProjectFile;

/**
 * Warm pools on local processes. The runtime's pool mode is being written beside this driver, so the pooled machines
 * here run {@link StandInPoolRuntime} (launched through a {@code java} wrapper, as the driver launches the runtime),
 * which answers health and the claim as the contract says; a claimed machine launched again runs the real runtime, as
 * the session's machine.
 */
class LocalProcessPoolIT {

    private static final Duration READY = Duration.ofSeconds(60);
    private static final String TOKEN = "claim-token-of-this-slot";
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    Path root;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<LocalProcessDriver> drivers = new ArrayList<>();
    private final Set<Long> pids = ConcurrentHashMap.newKeySet();
    private final UUID slot = UUID.randomUUID();
    private final UUID session = UUID.randomUUID();
    private final UUID project = UUID.randomUUID();
    private LocalProcessDriver driver;

    @BeforeEach
    void driver() throws Exception {
        // the driver runs "<java> <options> -cp <runtime> <runtime main> --port=0 ...": the wrapper runs the stand-in
        // with those arguments instead
        Path wrapper = root.resolve("java-stand-in.sh");
        Files.writeString(wrapper, "#!/bin/sh\nexec \"" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "\" -cp \"" + System.getProperty("java.class.path") + "\" " + StandInPoolRuntime.class.getName() + " \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        driver = new LocalProcessDriver(new LocalMachinesSettings(root.resolve("machines"), wrapper.toString(), null, null,
                READY, null, null, false));
        drivers.add(driver);
    }

    @AfterEach
    void cleanUp() {
        LocalProcessDriver cleaner = new LocalProcessDriver(LocalMachinesSettings.defaults(root.resolve("machines")));
        cleaner.list().forEach(machine -> cleaner.destroy(machine.id()));
        cleaner.listPooled().forEach(machine -> cleaner.destroy(machine.id()));
        drivers.forEach(LocalProcessDriver::close);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    @Test
    void creatingTheSameSlotTwiceLaunchesOnePooledRuntimeWithTheClaimTokenAndNoSession() throws Exception {
        PooledMachine first = driver.createPooled(spec());
        PooledMachine again = driver.createPooled(spec());

        assertThat(again.id()).isEqualTo(first.id());
        assertThat(first.pool()).isEqualTo("react-abc123");
        assertThat(first.slot()).isEqualTo(slot);
        assertThat(driver.listPooled()).extracting(PooledMachine::id).containsExactly(first.id());
        long pid = pidOf(first.id()).orElseThrow();
        pids.add(pid);
        // what the runtime process was started with, as the kernel keeps it
        String environment = Files.readString(Path.of("/proc", Long.toString(pid), "environ")).replace('\0', '\n');
        String command = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        assertThat(environment).contains("PREVIEW_POOL_TOKEN=" + TOKEN + "\n", "PREVIEW_DOMAIN=preview.localhost\n");
        assertThat(command).contains("--bundle=").doesNotContain("--session-id");
        assertThat(JSON.readTree(Files.readString(directoryOf(first.id()).resolve("bundle.json")))).isEqualTo(JSON.readTree(
                "{\"pool\":\"react-abc123\",\"files\":[{\"path\":\"index.html\",\"content\":\"<h1>template</h1>\",\"directory\":false},"
                        + "{\"path\":\"src/main.js\",\"content\":\"console.log('template')\",\"directory\":false}]}"));
    }

    @Test
    void aWarmPooledMachineStaysRunningAndIsListedPooledNotAsASessionsMachine() throws Exception {
        PooledMachine warm = warm();

        assertThat(warm.state()).isEqualTo(MachineState.STARTED);
        assertThat(warm.url()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(get(warm.url() + "/").statusCode()).isEqualTo(403);
        assertThat(driver.listPooled()).containsExactly(warm);
        assertThat(driver.list()).isEmpty();
        assertThat(driver.findBySession(session)).isEmpty();
        LocalMachineInventory inventory = new LocalMachineInventory(root.resolve("machines"));
        assertThat(inventory.list()).isEmpty();
        assertThat(inventory.listPooled()).extracting(PooledMachine::id, PooledMachine::slot, PooledMachine::state)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(warm.id(), slot, MachineState.STARTED));
    }

    @Test
    void aClaimMakesThePooledMachineTheSessionsMachine() throws Exception {
        PooledMachine warm = warm();

        Machine claimed = driver.claim(warm.id(), claim(session), TOKEN, READY);

        assertThat(claimed).isEqualTo(new Machine(warm.id(), session, MachineState.STARTED, warm.url(), "local", warm.createdAt()));
        assertThat(get(claimed.url() + "/").body()).isEqualTo("session " + session);
        assertThat(driver.findBySession(session)).hasValueSatisfying(found -> {
            assertThat(found.id()).isEqualTo(warm.id());
            assertThat(found.state()).isEqualTo(MachineState.STARTED);
        });
        assertThat(driver.list()).extracting(Machine::id).containsExactly(warm.id());
        assertThat(driver.listPooled()).isEmpty();
        LocalMachineInventory inventory = new LocalMachineInventory(root.resolve("machines"));
        assertThat(inventory.list()).extracting(Machine::sessionId).containsExactly(session);
        assertThat(inventory.listPooled()).isEmpty();
        // a driver started later sees the same
        LocalProcessDriver later = new LocalProcessDriver(LocalMachinesSettings.defaults(root.resolve("machines")));
        drivers.add(later);
        assertThat(later.findBySession(session).map(Machine::id)).contains(warm.id());
        assertThat(later.listPooled()).isEmpty();
    }

    @Test
    void aClaimSentAgainForTheSameSessionIsAnsweredAsTheFirst() {
        PooledMachine warm = warm();
        driver.claim(warm.id(), claim(session), TOKEN, READY);

        Machine again = driver.claim(warm.id(), claim(session), TOKEN, READY);

        assertThat(again.sessionId()).isEqualTo(session);
        assertThat(driver.list()).hasSize(1);
    }

    @Test
    void aMachineClaimedByAnotherSessionIsRefusedForGood() {
        PooledMachine warm = warm();
        driver.claim(warm.id(), claim(session), TOKEN, READY);
        UUID other = UUID.randomUUID();

        assertThatThrownBy(() -> driver.claim(warm.id(), claim(other), TOKEN, READY))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("machine " + warm.id() + " was claimed by another session: session " + other + " cannot claim it");
        assertThat(driver.findBySession(other)).isEmpty();
        assertThat(driver.findBySession(session).map(Machine::id)).contains(warm.id());
    }

    @Test
    void aClaimWithTheWrongTokenIsRefusedForGoodWithTheRuntimesAnswer() {
        PooledMachine warm = warm();

        assertThatThrownBy(() -> driver.claim(warm.id(), claim(session), "not-the-token", READY))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageContaining("refused the claim of session " + session + ": HTTP 401: {\"error\":\"wrong claim token\"}");
    }

    @Test
    void claimingAMachineThatIsGoneOrNotPooledIsRefusedForGood() {
        Machine sessions = driver.create(new MachineSpec(UUID.randomUUID(), "user-1", project, new MachineSize("shared", 1, 256),
                "attempt-1", List.of(new ProjectFile("index.html", "<h1>own</h1>", false)), Map.of()));
        pidOf(sessions.id()).ifPresent(pids::add);

        assertThatThrownBy(() -> driver.claim(sessions.id(), claim(session), TOKEN, READY))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("machine " + sessions.id() + " is not a pooled machine: session " + session + " cannot claim it");
        assertThatThrownBy(() -> driver.claim("local-000000000000", claim(session), TOKEN, READY))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("machine local-000000000000 does not exist");
    }

    @Test
    void destroyingAPooledMachineLeavesNoProcessAndNoDirectory() {
        PooledMachine warm = warm();
        long pid = pidOf(warm.id()).orElseThrow();

        driver.destroy(warm.id());

        assertThat(ProcessHandle.of(pid).map(ProcessHandle::isAlive)).isNotEqualTo(java.util.Optional.of(true));
        assertThat(directoryOf(warm.id())).doesNotExist();
        assertThat(driver.listPooled()).isEmpty();
    }

    @Test
    void aClaimedMachineLaunchedAgainRunsTheRealRuntimeAsTheSessionsMachineWithTheSessionsFiles() throws Exception {
        PooledMachine warm = warm();
        driver.claim(warm.id(), claim(session), TOKEN, READY);
        driver.stop(warm.id());

        // a driver that runs the real preview runtime
        LocalProcessDriver real = new LocalProcessDriver(LocalMachinesSettings.defaults(root.resolve("machines")));
        drivers.add(real);
        Machine started = real.start(warm.id());
        long pid = pidOf(warm.id()).orElseThrow();
        pids.add(pid);

        assertThat(started.sessionId()).isEqualTo(session);
        assertThat(get(started.url() + "/").body()).isEqualTo("<h1>project</h1>");
        assertThat(get(started.url() + "/src/main.js").statusCode()).isEqualTo(404);
        String command = Files.readString(Path.of("/proc", Long.toString(pid), "cmdline")).replace('\0', ' ');
        String environment = Files.readString(Path.of("/proc", Long.toString(pid), "environ")).replace('\0', '\n');
        assertThat(command).contains("--session-id=" + session);
        assertThat(environment).doesNotContain("PREVIEW_POOL_TOKEN");
    }

    /** A resume of a session whose pooled machine stopped: the claim sent again launches it as the session's. */
    @Test
    void aClaimSentAgainToAStoppedClaimedMachineLaunchesItAsTheSessionsAndAnswersWithoutAClaimOnceItServes()
            throws Exception {
        PooledMachine warm = warm();
        driver.claim(warm.id(), claim(session), TOKEN, READY);
        driver.stop(warm.id());
        LocalProcessDriver real = new LocalProcessDriver(LocalMachinesSettings.defaults(root.resolve("machines")));
        drivers.add(real);

        Machine again = real.claim(warm.id(), claim(session), TOKEN, READY);
        long pid = pidOf(warm.id()).orElseThrow();
        pids.add(pid);

        assertThat(again.sessionId()).isEqualTo(session);
        assertThat(get(again.url() + "/").body()).isEqualTo("<h1>project</h1>");
        // its runtime serves the session, so it would refuse a claim: none is sent
        Machine third = real.claim(warm.id(), claim(session), TOKEN, READY);
        assertThat(third.url()).isEqualTo(again.url());
        assertThat(pidOf(warm.id())).hasValue(pid);
    }

    private PooledMachine warm() {
        PooledMachine created = driver.createPooled(spec());
        pidOf(created.id()).ifPresent(pids::add);
        return driver.awaitWarm(created, READY);
    }

    private PooledMachineSpec spec() {
        return new PooledMachineSpec("react-abc123", slot, new MachineSize("shared", 1, 256), TOKEN,
                List.of(new ProjectFile("index.html", "<h1>template</h1>", false),
                        new ProjectFile("src/main.js", "console.log('template')", false)),
                Map.of("PREVIEW_DOMAIN", "preview.localhost"));
    }

    /** The project changes the page and has no src/main.js. */
    private MachineClaim claim(UUID claimant) {
        return new MachineClaim(claimant, project,
                new SyncResponse(List.of(new SyncedFile("index.html", 2, "cd".repeat(32), "<h1>project</h1>")),
                        List.of("src/main.js")), null, null, null);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private OptionalLong pidOf(String machineId) {
        return new MachineDirectory(root.resolve("machines")).read(machineId)
                .map(record -> record.pid() == null ? OptionalLong.empty() : OptionalLong.of(record.pid()))
                .orElse(OptionalLong.empty());
    }

    private Path directoryOf(String machineId) {
        return new MachineDirectory(root.resolve("machines")).dir(machineId);
    }
}
