package dev.velocitypreview.machines.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

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
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.ProjectFile;

/** Spawns real preview-runtime processes; needs no Kafka or PostgreSQL. */
class LocalProcessDriverIT {

    /** Generous: the build machine is shared, and a starved JVM takes seconds to start. */
    private static final Duration READY = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<LocalProcessDriver> drivers = new ArrayList<>();
    private final Set<Long> pids = ConcurrentHashMap.newKeySet();
    private LocalProcessDriver driver;

    @BeforeEach
    void driver() {
        driver = newDriver(false);
    }

    @AfterEach
    void cleanUp() {
        LocalProcessDriver cleaner = newDriver(false);
        cleaner.list().forEach(machine -> {
            pidOf(machine.id()).ifPresent(pids::add);
            cleaner.destroy(machine.id());
        });
        drivers.forEach(LocalProcessDriver::close);
        for (long pid : pids) {
            ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
        }
    }

    private LocalProcessDriver newDriver(boolean stopMachinesOnClose) {
        LocalProcessDriver created = new LocalProcessDriver(new LocalMachinesSettings(root, null, null, null,
                READY, null, null, stopMachinesOnClose));
        drivers.add(created);
        return created;
    }

    private static MachineSpec spec(UUID session, ProjectFile... files) {
        return spec(session, Map.of(), files);
    }

    private static MachineSpec spec(UUID session, Map<String, String> env, ProjectFile... files) {
        return new MachineSpec(session, "user-1", UUID.randomUUID(), new MachineSize("shared", 1, 256), "attempt-" + UUID.randomUUID(),
                List.of(files), env);
    }

    private static ProjectFile page(String text) {
        return new ProjectFile("index.html", "<h1>" + text + "</h1>", false);
    }

    private Machine createReady(LocalProcessDriver on, MachineSpec spec) {
        Machine machine = on.create(spec);
        pidOf(machine.id()).ifPresent(pids::add);
        return on.awaitReady(machine, READY);
    }

    private HttpResponse<String> get(String url) throws Exception {
        return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private OptionalLong pidOf(String machineId) {
        return new MachineDirectory(root).read(machineId).map(record -> OptionalLong.of(record.pid())).orElse(OptionalLong.empty());
    }

    private Path directoryOf(String machineId) {
        return new MachineDirectory(root).dir(machineId);
    }

    private static boolean alive(long pid) {
        return ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
    }

    @Test
    void aCreatedMachineServesTheProjectsIndexPageOnceReady() throws Exception {
        UUID session = UUID.randomUUID();

        Machine created = driver.create(spec(session, page("hello " + session),
                new ProjectFile("css/site.css", "h1{}", false)));
        pids.add(pidOf(created.id()).orElseThrow());
        Machine ready = driver.awaitReady(created, READY);

        assertThat(created.id()).matches("local-[0-9a-f]{12}");
        assertThat(created.state()).isEqualTo(MachineState.STARTING);
        assertThat(created.url()).isNull();
        assertThat(created.createdAt()).isNotNull();
        assertThat(ready.createdAt()).isEqualTo(created.createdAt());
        assertThat(ready.state()).isEqualTo(MachineState.STARTED);
        assertThat(ready.url()).matches("http://127\\.0\\.0\\.1:\\d+");
        assertThat(ready.region()).isEqualTo("local");
        HttpResponse<String> page = get(ready.url() + "/");
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("<h1>hello " + session + "</h1>");
        assertThat(get(ready.url() + "/css/site.css").body()).isEqualTo("h1{}");
        assertThat(driver.findBySession(session)).contains(ready);
        Path dir = directoryOf(ready.id());
        assertThat(dir.resolve("machine.json")).content()
                .contains("\"sessionId\":\"" + session + "\"", "\"state\":\"STARTED\"", "\"userId\":\"user-1\"",
                        "\"port\":" + URI.create(ready.url()).getPort());
        assertThat(dir.resolve("runtime.log")).content().contains("session=" + session, "msg=\"files materialized\"");
    }

    @Test
    void aDriverStartedLaterFindsTheMachineSoCreatingAgainLaunchesNothing() throws Exception {
        UUID session = UUID.randomUUID();
        Machine ready = createReady(driver, spec(session, page("before restart")));
        long pid = pidOf(ready.id()).orElseThrow();

        LocalProcessDriver restarted = newDriver(false);
        Optional<Machine> found = restarted.findBySession(session);
        Machine again = restarted.create(spec(session, page("before restart")));

        assertThat(found).contains(ready);
        assertThat(again).isEqualTo(ready);
        assertThat(pidOf(ready.id())).hasValue(pid);
        assertThat(restarted.list()).containsExactly(ready);
        assertThat(get(again.url() + "/").body()).isEqualTo("<h1>before restart</h1>");
    }

    @Test
    void destroyLeavesNoProcessAndNoDirectory() {
        UUID session = UUID.randomUUID();
        Machine ready = createReady(driver, spec(session, page("doomed")));
        long pid = pidOf(ready.id()).orElseThrow();
        Path dir = directoryOf(ready.id());

        driver.destroy(ready.id());

        assertThat(alive(pid)).isFalse();
        assertThat(dir).doesNotExist();
        assertThat(driver.findBySession(session)).isEmpty();
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void destroyAlsoEndsWhatTheRuntimeStarted() throws Exception {
        // a runtime that has started a child, as it starts a project's dev server: here the wrapper that
        // launches it leaves one behind in its place (exec), so the child is the runtime's own
        Path childPid = root.resolve("child.pid");
        Path wrapper = root.resolve("java-with-child.sh");
        Files.writeString(wrapper, "#!/bin/sh\nsleep 600 &\necho $! > \"$CHILD_PID_FILE\"\nexec \""
                + Path.of(System.getProperty("java.home"), "bin", "java") + "\" \"$@\"\n");
        assertThat(wrapper.toFile().setExecutable(true)).isTrue();
        LocalProcessDriver withChild = new LocalProcessDriver(new LocalMachinesSettings(root, wrapper.toString(), null,
                null, READY, null, null, false));
        drivers.add(withChild);
        Machine ready = createReady(withChild, spec(UUID.randomUUID(), Map.of("CHILD_PID_FILE", childPid.toString()),
                page("parent")));
        long child = Long.parseLong(Files.readString(childPid).trim());
        pids.add(child);
        assertThat(alive(child)).isTrue();

        withChild.destroy(ready.id());

        assertThat(alive(child)).as("the runtime's child").isFalse();
    }

    @Test
    void everyRuntimeIsGivenTheStoreOfDependenciesSharedUnderTheRoot() throws Exception {
        Machine first = createReady(driver, spec(UUID.randomUUID(), page("one")));
        Machine second = createReady(driver, spec(UUID.randomUUID(), page("two")));

        for (Machine machine : List.of(first, second)) {
            // what the runtime process was started with, as the kernel keeps it
            String environment = Files.readString(Path.of("/proc", Long.toString(pidOf(machine.id()).orElseThrow()),
                    "environ")).replace('\0', '\n');
            assertThat(environment).contains(LocalProcessDriver.DEPS_CACHE_ENV + "=" + root.resolve("deps") + "\n");
        }
    }

    @Test
    void destroyingAMachineThatIsGoneOrWasNeverThereIsFine() {
        Machine ready = createReady(driver, spec(UUID.randomUUID(), page("x")));
        driver.destroy(ready.id());

        driver.destroy(ready.id());
        driver.destroy("local-000000000000");
        driver.destroy("../../etc");

        assertThat(root).isDirectoryNotContaining(path -> true);
    }

    @Test
    void aStoppedMachineKeepsItsDirectoryAndStartsAgainOnItsNewPort() throws Exception {
        UUID session = UUID.randomUUID();
        Machine ready = createReady(driver, spec(session, page("resumable")));
        long firstPid = pidOf(ready.id()).orElseThrow();

        driver.stop(ready.id());

        assertThat(alive(firstPid)).isFalse();
        assertThat(driver.findBySession(session)).hasValueSatisfying(stopped -> {
            assertThat(stopped.state()).isEqualTo(MachineState.STOPPED);
            assertThat(stopped.url()).isNull();
        });
        assertThat(directoryOf(ready.id()).resolve("work/index.html")).exists();

        Machine started = driver.start(ready.id());
        pids.add(pidOf(ready.id()).orElseThrow());

        assertThat(started.state()).isEqualTo(MachineState.STARTED);
        assertThat(pidOf(ready.id())).isNotEqualTo(OptionalLong.of(firstPid));
        String newPort = Files.readString(directoryOf(ready.id()).resolve("port")).trim();
        assertThat(started.url()).isEqualTo("http://127.0.0.1:" + newPort);
        assertThat(get(started.url() + "/").body()).isEqualTo("<h1>resumable</h1>");
        assertThat(driver.findBySession(session)).contains(started);
    }

    @Test
    void aSuspendedMachineKeepsItsProcessButAnswersNothingAndStartContinuesTheSameProcessOnTheSamePort()
            throws Exception {
        UUID session = UUID.randomUUID();
        Machine ready = createReady(driver, spec(session, page("sleeping beauty")));
        long pid = pidOf(ready.id()).orElseThrow();

        driver.suspend(ready.id());
        driver.suspend(ready.id());

        assertThat(alive(pid)).as("the process and its memory are kept").isTrue();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create(ready.url() + "/"))
                .timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString()))
                .as("a stopped process answers nothing").isInstanceOf(java.net.http.HttpTimeoutException.class);
        assertThat(driver.findBySession(session)).hasValueSatisfying(suspended -> {
            assertThat(suspended.state()).isEqualTo(MachineState.SUSPENDED);
            assertThat(suspended.createdAt()).isEqualTo(ready.createdAt());
        });
        assertThat(directoryOf(ready.id()).resolve("machine.json")).content().contains("\"state\":\"SUSPENDED\"");

        LocalProcessDriver restarted = newDriver(false);
        assertThat(restarted.findBySession(session).map(Machine::state)).contains(MachineState.SUSPENDED);
        Machine resumed = restarted.start(ready.id());

        assertThat(pidOf(ready.id())).as("no new process was launched").hasValue(pid);
        assertThat(resumed.state()).isEqualTo(MachineState.STARTED);
        assertThat(resumed.url()).isEqualTo(ready.url());
        assertThat(get(resumed.url() + "/").body()).isEqualTo("<h1>sleeping beauty</h1>");
        assertThat(restarted.findBySession(session)).contains(resumed);
    }

    @Test
    void aSuspendedMachineIsDestroyedWithoutLeavingItsProcess() {
        Machine ready = createReady(driver, spec(UUID.randomUUID(), page("frozen")));
        long pid = pidOf(ready.id()).orElseThrow();
        driver.suspend(ready.id());

        driver.destroy(ready.id());

        assertThat(alive(pid)).isFalse();
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void aMachineWhoseRuntimeDiedIsReportedStoppedAndCanBeStartedAgain() throws Exception {
        UUID session = UUID.randomUUID();
        Machine ready = createReady(driver, spec(session, page("phoenix")));
        ProcessHandle process = ProcessHandle.of(pidOf(ready.id()).orElseThrow()).orElseThrow();

        process.destroyForcibly();
        process.onExit().get(10, TimeUnit.SECONDS);

        assertThat(driver.findBySession(session).map(Machine::state)).contains(MachineState.STOPPED);
        Machine started = driver.start(ready.id());
        pids.add(pidOf(ready.id()).orElseThrow());
        assertThat(get(started.url() + "/").body()).isEqualTo("<h1>phoenix</h1>");
    }

    @Test
    void anUnsafePathMakesAwaitReadyFailWithTheRuntimesReportNamingTheFile() {
        Machine machine = driver.create(spec(UUID.randomUUID(), page("ok"), new ProjectFile("../x", "escape", false)));
        pids.add(pidOf(machine.id()).orElseThrow());

        MachineException failure = catchThrowableOfType(MachineException.class, () -> driver.awaitReady(machine, READY));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure).hasMessage("refused '../x': path leaves the work directory");
        assertThat(root.resolve("x")).doesNotExist();
    }

    @Test
    void aRuntimeThatExitsMakesAwaitReadyFailWithTheEndOfItsLog() {
        Machine machine = driver.create(spec(UUID.randomUUID(), Map.of("PREVIEW_MAX_FILES", "many"), page("never")));
        pids.add(pidOf(machine.id()).orElseThrow());

        MachineException failure = catchThrowableOfType(MachineException.class, () -> driver.awaitReady(machine, READY));

        assertThat(failure.isTransient()).isFalse();
        assertThat(failure.getMessage())
                .startsWith("preview runtime of machine " + machine.id() + " exited with code 2 before it was ready; end of runtime.log:\n")
                .contains("PREVIEW_MAX_FILES must be a whole number from 1 to 2147483647, got 'many'");
    }

    @Test
    void awaitReadyGivesUpWhenTheTimeoutPasses() {
        Machine machine = driver.create(spec(UUID.randomUUID(), page("slow")));
        pids.add(pidOf(machine.id()).orElseThrow());

        assertThatThrownBy(() -> driver.awaitReady(machine, Duration.ofMillis(1)))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessageStartingWith("machine " + machine.id() + " was not ready within PT0.001S");
    }

    @Test
    void concurrentCreatesForTheSameSessionLaunchOneMachine() throws Exception {
        UUID session = UUID.randomUUID();
        MachineSpec spec = spec(session, page("once"));
        ExecutorService threads = Executors.newFixedThreadPool(5);
        try {
            List<CompletableFuture<Machine>> creates = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                creates.add(CompletableFuture.supplyAsync(() -> driver.create(spec), threads));
            }
            CompletableFuture.allOf(creates.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

            assertThat(creates).extracting(create -> create.join().id()).containsOnly(creates.get(0).join().id());
            assertThat(driver.list()).hasSize(1);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void twentyConcurrentCreatesForTwentySessionsAllBecomeReady() throws Exception {
        ExecutorService threads = Executors.newFixedThreadPool(20);
        try {
            List<UUID> sessions = new ArrayList<>();
            List<CompletableFuture<Machine>> readies = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                UUID session = UUID.randomUUID();
                sessions.add(session);
                readies.add(CompletableFuture.supplyAsync(() -> {
                    Machine machine = driver.create(spec(session, page(session.toString())));
                    pidOf(machine.id()).ifPresent(pids::add);
                    // twenty JVMs starting at once on two shared cores: each may take a while
                    return driver.awaitReady(machine, Duration.ofSeconds(150));
                }, threads));
            }
            CompletableFuture.allOf(readies.toArray(CompletableFuture[]::new)).get(180, TimeUnit.SECONDS);

            for (int i = 0; i < 20; i++) {
                Machine machine = readies.get(i).join();
                assertThat(machine.state()).isEqualTo(MachineState.STARTED);
                assertThat(get(machine.url() + "/").body()).isEqualTo("<h1>" + sessions.get(i) + "</h1>");
            }
            assertThat(driver.list()).hasSize(20);
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void closingADriverThatStopsMachinesOnCloseLetsTheNextDriverStartThemAgain() throws Exception {
        LocalProcessDriver launcher = newDriver(true);
        UUID session = UUID.randomUUID();
        Machine ready = createReady(launcher, spec(session, page("survives restarts")));
        long pid = pidOf(ready.id()).orElseThrow();

        launcher.close();

        assertThat(alive(pid)).isFalse();
        LocalProcessDriver next = newDriver(true);
        assertThat(next.findBySession(session).map(Machine::state)).contains(MachineState.STOPPED);
        Machine started = next.start(ready.id());
        pids.add(pidOf(ready.id()).orElseThrow());
        assertThat(get(started.url() + "/").body()).isEqualTo("<h1>survives restarts</h1>");
    }

    @Test
    void closingADriverLeavesItsMachinesRunningByDefault() throws Exception {
        Machine ready = createReady(driver, spec(UUID.randomUUID(), page("left running")));

        driver.close();

        assertThat(get(ready.url() + "/").statusCode()).isEqualTo(200);
    }

    @Test
    void stoppingOrStartingAnUnknownMachineIsAnErrorThatRetryingCannotFix() {
        assertThatThrownBy(() -> driver.stop("local-000000000000"))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("machine local-000000000000 does not exist");
        assertThatThrownBy(() -> driver.start("../etc"))
                .isInstanceOfSatisfying(MachineException.class, e -> assertThat(e.isTransient()).isFalse())
                .hasMessage("no local machine ../etc");
    }
}
