package dev.velocitypreview.provisioner;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.local.LocalMachinesSettings;
import dev.velocitypreview.machines.local.LocalProcessDriver;
import dev.velocitypreview.testkit.StaticProjects;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The provisioner as its own OS process, killed with SIGKILL in the middle of provisioning. */
class ProvisionerCrashIT {

    private static final Duration PATIENCE = Duration.ofSeconds(60);

    /** A provisioner JVM's start: seconds when idle, over a minute beside two other builds on two cores. */
    private static final Duration START_PATIENCE = Duration.ofMinutes(3);
    private static final int MAX_TRIES = 3;

    private final List<Process> processes = new ArrayList<>();
    private TestDatabase db;
    private NamedParameterJdbcTemplate jdbc;
    private CommandTopic commands;
    private Path machinesRoot;
    private Path logs;
    private String group;
    private LocalProcessDriver machines;

    @BeforeEach
    void setUp() throws IOException {
        db = TestPostgres.shared().createDatabase();
        jdbc = new NamedParameterJdbcTemplate(db.dataSource());
        commands = new CommandTopic(TestKafka.shared().bootstrapServers());
        machinesRoot = Files.createTempDirectory("provisioner-crash-machines");
        logs = Files.createTempDirectory("provisioner-crash-logs");
        group = "provisioner-crash-" + UUID.randomUUID();
        commands.startGroupAtEnd(group);
        machines = new LocalProcessDriver(LocalMachinesSettings.defaults(machinesRoot));
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        for (Process process : processes) {
            process.destroy();
            if (!process.waitFor(20, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
        if (machines != null) {
            machines.list().forEach(machine -> machines.destroy(machine.id()));
            machines.close();
        }
        if (commands != null) {
            commands.close();
        }
    }

    @Test
    void provisionerKilledAfterMachineCreatedRecoversToOneActiveSessionAndNoLeakedMachine() throws Exception {
        SessionCommand.Create create = null;
        for (int attempt = 1; attempt <= MAX_TRIES && create == null; attempt++) {
            Process first = startProvisioner("first-" + attempt);
            SessionCommand.Create candidate = SessionCommand.create(UUID.randomUUID(), "user-1",
                    StaticProjects.create(jdbc.getJdbcTemplate().getDataSource(), "user-1"), "react", Tier.FREE,
                    Visibility.PUBLIC, Duration.ofMinutes(30), new MachineSize("shared", 1, 256), Duration.ofMinutes(10),
                    Instant.now());
            int machinesBefore = machinesOnDisk();

            commands.publish(candidate);
            // the driver writes a machine's record once its process is launched: the machine exists from then on
            await().atMost(PATIENCE).pollInterval(Duration.ofMillis(5)).until(() -> machinesOnDisk() > machinesBefore);
            first.destroyForcibly();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();

            if (!"ACTIVE".equals(status(candidate.sessionId()))) {
                create = candidate;
            }
        }
        assertThat(create).as("the provisioner was killed before a session went ACTIVE in " + MAX_TRIES + " tries")
                .isNotNull();
        UUID sessionId = create.sessionId();

        startProvisioner("second");

        await().atMost(PATIENCE).until(() -> "ACTIVE".equals(status(sessionId)));
        List<Machine> tagged = machines.list().stream().filter(m -> m.sessionId().equals(sessionId)).toList();
        assertThat(tagged).as("machines tagged with the session").hasSize(1);
        String url = jdbc.queryForObject("SELECT machine_url FROM preview_sessions WHERE id = :id",
                Map.of("id", sessionId), String.class);
        HttpResponse<String> page = HttpClient.newHttpClient().send(
                HttpRequest.newBuilder(URI.create(url).resolve("/")).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains(create.projectId().toString());
    }

    private Process startProvisioner(String name) throws IOException {
        Path log = logs.resolve(name + ".log");
        List<String> command = List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
                "-cp", System.getProperty("java.class.path"),
                ProvisionerApplication.class.getName(),
                "--server.port=0",
                "--spring.datasource.url=" + db.jdbcUrl(),
                "--spring.datasource.username=" + db.username(),
                "--spring.datasource.password=" + db.password(),
                "--velocity.provisioner.kafka.bootstrap-servers=" + TestKafka.shared().bootstrapServers(),
                "--velocity.provisioner.kafka.group-id=" + group,
                // static membership: the restarted process takes over the killed one's partitions at once
                "--velocity.provisioner.kafka.consumer.group.instance.id=" + group,
                "--velocity.provisioner.machines.local.root-dir=" + machinesRoot);
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        processes.add(process);
        await().atMost(START_PATIENCE).until(() -> {
            assertThat(process.isAlive()).as("provisioner " + name + " is running, see " + log).isTrue();
            return Files.readString(log).contains("partitions assigned");
        });
        return process;
    }

    /** Machine directories that hold a machine record. */
    private int machinesOnDisk() {
        try (Stream<Path> dirs = Files.list(machinesRoot)) {
            return (int) dirs.filter(dir -> Files.exists(dir.resolve("machine.json"))).count();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private String status(UUID sessionId) {
        return jdbc.queryForList("SELECT status FROM preview_sessions WHERE id = :id", Map.of("id", sessionId),
                String.class).stream().findFirst().orElse(null);
    }
}
