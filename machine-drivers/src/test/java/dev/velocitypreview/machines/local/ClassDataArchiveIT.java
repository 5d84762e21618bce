package dev.velocitypreview.machines.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.ProjectFile;

/** The runtime's class-data archive with real runtimes: made by a training run, used, and survived when corrupt. */
class ClassDataArchiveIT {

    /** Generous: the build machine is shared, and a starved JVM takes seconds to start. */
    private static final Duration READY = Duration.ofSeconds(60);

    @TempDir
    Path root;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final List<LocalProcessDriver> drivers = new ArrayList<>();

    @AfterEach
    void cleanUp() {
        for (LocalProcessDriver driver : drivers) {
            driver.list().forEach(machine -> driver.destroy(machine.id()));
        }
    }

    private LocalMachinesSettings settings() {
        return new LocalMachinesSettings(root.resolve("machines"), null, null, null, READY, null, null, false);
    }

    private LocalProcessDriver driver(Path classData) {
        LocalProcessDriver driver = new LocalProcessDriver(settings(), classData);
        drivers.add(driver);
        return driver;
    }

    @Test
    void machinesStartWithoutAnArchiveUntilTheTrainingMadeOneAndWithItAfter() throws Exception {
        Path classData = root.resolve("class-data");
        Files.createDirectories(classData);
        Path ofALastMonthsBuild = Files.writeString(classData.resolve("0123456789abcdef.jsa"), "old");
        Files.setLastModifiedTime(ofALastMonthsBuild, FileTime.from(Instant.now().minus(Duration.ofDays(30))));
        Path ofTodaysOtherBuild = Files.writeString(classData.resolve("fedcba9876543210.jsa"), "recent");
        LocalProcessDriver driver = driver(classData);
        Path archive = new ClassDataArchive(classData, settings()).archive().orElseThrow();

        Machine first = driver.awaitReady(driver.create(spec("first")), READY);

        assertThat(page(first)).contains("first");
        assertThat(commandOf(first)).noneMatch(argument -> argument.startsWith("-XX:SharedArchiveFile"));
        await().atMost(Duration.ofMinutes(2)).until(() -> Files.isRegularFile(archive));
        assertThat(Files.size(archive)).isPositive();
        assertThat(ofALastMonthsBuild).as("a month-old build's archive").doesNotExist();
        assertThat(ofTodaysOtherBuild).as("another build's recent archive").exists();

        Machine second = driver.awaitReady(driver.create(spec("second")), READY);

        assertThat(page(second)).contains("second");
        assertThat(commandOf(second)).contains("-XX:SharedArchiveFile=" + archive);
        assertThat(Files.readString(logOf(second))).doesNotContain("warning");
    }

    @Test
    void aCorruptArchiveStillStartsTheMachine() throws Exception {
        Path classData = root.resolve("class-data");
        Path archive = new ClassDataArchive(classData, settings()).archive().orElseThrow();
        Files.createDirectories(classData);
        Files.write(archive, "not a class-data archive".repeat(1_000).getBytes());
        LocalProcessDriver driver = driver(classData);

        Machine machine = driver.awaitReady(driver.create(spec("corrupt")), READY);

        assertThat(commandOf(machine)).contains("-XX:SharedArchiveFile=" + archive);
        assertThat(page(machine)).contains("corrupt");
    }

    @Test
    void noArchiveForAJavaCommandOtherThanThisJvms() throws Exception {
        Path wrapper = root.resolve("java-wrapper.sh");
        Files.writeString(wrapper, "#!/bin/sh\nexec \"" + Path.of(System.getProperty("java.home"), "bin", "java")
                + "\" \"$@\"\n");
        LocalMachinesSettings wrapped = new LocalMachinesSettings(root.resolve("machines"), wrapper.toString(), null, null,
                READY, null, null, false);

        assertThat(new ClassDataArchive(root.resolve("class-data"), wrapped).archive()).isEmpty();
    }

    private static MachineSpec spec(String text) {
        return new MachineSpec(UUID.randomUUID(), "user-1", UUID.randomUUID(), new MachineSize("shared", 1, 256),
                "attempt-" + UUID.randomUUID(), List.of(new ProjectFile("index.html", "<h1>" + text + "</h1>", false)),
                Map.of());
    }

    private String page(Machine machine) throws Exception {
        HttpResponse<String> answer = http.send(HttpRequest.newBuilder(URI.create(machine.url() + "/index.html"))
                .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(answer.statusCode()).isEqualTo(200);
        return answer.body();
    }

    private List<String> commandOf(Machine machine) {
        long pid = new MachineDirectory(root.resolve("machines")).read(machine.id()).orElseThrow().pid();
        return List.of(ProcessHandle.of(pid).orElseThrow().info().arguments().orElseThrow());
    }

    private Path logOf(Machine machine) {
        return new MachineDirectory(root.resolve("machines")).log(machine.id());
    }
}
