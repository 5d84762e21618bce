package dev.velocitypreview.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ConsumerGroupDescription;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.GroupState;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.streams.StreamsConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.cleanup.CleanupApplication;
import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.net.LoopbackPorts;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.machines.local.LocalMachinesSettings;
import dev.velocitypreview.machines.local.LocalProcessDriver;
import dev.velocitypreview.provisioner.ProvisionerApplication;
import dev.velocitypreview.router.RouterApplication;
import dev.velocitypreview.sessions.SessionServiceApplication;
import dev.velocitypreview.testkit.StaticProjects;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static org.awaitility.Awaitility.await;

/**
 * The whole platform for the fault suite, once per test JVM: a broker and a PostgreSQL of its own
 * (both restartable), provisioners {@code p1}/{@code p2} (each hosting a CDC relay, one consumer
 * group with static membership), routers {@code r1}/{@code r2} and the session API, each its own OS
 * process; machines are real child processes under one root. It keeps the ledger of every session
 * the suite got a 202 (or published itself) for, which {@link Audit} checks after each scenario.
 *
 * <p>Scenarios may kill anything, but leave the platform as they found it: {@link #ensureStandard()}
 * brings back p1, r1, r2 and the API.
 */
final class FaultPlatform {

    private static final Logger LOG = LoggerFactory.getLogger(FaultPlatform.class);
    static final String GROUP = "fault-provisioner";
    static final String CLEANUP_GROUP = "fault-cleanup";

    private static FaultPlatform shared;

    final TestKafka kafka;
    final TestPostgres postgres;
    final TestDatabase db;
    final Path logs;
    final Path machinesRoot;
    final LocalProcessDriver machines;
    final SessionApi api;
    final int apiPort;
    final Map<String, Integer> routerPorts = new LinkedHashMap<>();
    final Map<String, Integer> cleanupPorts = new ConcurrentHashMap<>();
    private final Map<String, ServiceProcess> services = new ConcurrentHashMap<>();
    private final Map<UUID, Requested> ledger = new ConcurrentHashMap<>();
    private final AtomicInteger users = new AtomicInteger();
    private SessionDirectory view;
    private final Path viewState;
    private final String classpath;

    /** A session the platform accepted, and on whose behalf. */
    record Requested(UUID sessionId, String userId, UUID projectId, String scenario) {
    }

    static synchronized FaultPlatform shared() {
        if (shared == null) {
            shared = new FaultPlatform();
            Runtime.getRuntime().addShutdownHook(new Thread(shared::close, "fault-platform-stop"));
            shared.ensureStandard();
            shared.seedStaticProjects();
        }
        return shared;
    }

    /**
     * Projects with a static page naming them, written while the database is surely up (some scenarios request
     * sessions while it is down). A session of a project with files is served those files, so the audit can check
     * that every preview served its own project's page; a project made from a template would run npm instead.
     */
    private void seedStaticProjects() {
        for (int i = 0; i < STATIC_PROJECTS; i++) {
            staticProjects.add(StaticProjects.create(dataSource(), "fault"));
        }
    }

    /** One of the static projects, in turn; sessions of one project each get a machine of their own. */
    UUID staticProject() {
        return staticProjects.get(Math.floorMod(nextStaticProject.getAndIncrement(), staticProjects.size()));
    }

    private static final int STATIC_PROJECTS = 64;
    private final List<UUID> staticProjects = new java.util.concurrent.CopyOnWriteArrayList<>();
    private final AtomicInteger nextStaticProject = new AtomicInteger();

    private FaultPlatform() {
        try {
            logs = Path.of(System.getProperty("fault.logs", "target/fault-logs"))
                    .resolve(LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss")))
                    .toAbsolutePath();
            machinesRoot = Files.createDirectories(logs.resolve("machines"));
            viewState = Files.createTempDirectory("fault-view-");
            classpath = snapshotClasspath(logs.resolve("classpath"));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        kafka = TestKafka.startDedicated();
        postgres = TestPostgres.startDedicated();
        db = postgres.createDatabase();
        machines = new LocalProcessDriver(LocalMachinesSettings.defaults(machinesRoot));
        apiPort = LoopbackPorts.free();
        routerPorts.put("r1", LoopbackPorts.free());
        routerPorts.put("r2", LoopbackPorts.free());
        api = new SessionApi("http://localhost:" + apiPort);
        LOG.atInfo().addKeyValue("logs", logs).addKeyValue("kafka", kafka.bootstrapServers())
                .addKeyValue("database", db.jdbcUrl()).log("fault platform created");
    }

    /** p1, both routers and the API running and ready; p2 stopped; the audit view started. */
    synchronized void ensureStandard() {
        List<ServiceProcess> starting = new ArrayList<>();
        for (String name : List.of("p1", "r1", "r2", "api")) {
            ServiceProcess service = service(name);
            if (!service.isAlive()) {
                starting.add(service.start());
            }
        }
        if (services.containsKey("p2")) {
            services.get("p2").stop();
        }
        for (ServiceProcess service : starting) {
            if (service.name().startsWith("p")) {
                awaitProvisioner(service);
            } else {
                service.awaitReady();
            }
        }
        if (view == null) {
            startView();
        }
        await().atMost(Duration.ofSeconds(60)).until(view::isReady);
    }

    /** The named service (p1, p2, r1, r2, api), created on first use but not started. */
    synchronized ServiceProcess service(String name) {
        return services.computeIfAbsent(name, this::define);
    }

    /** Starts a provisioner and waits until it consumes and its relay streams or stands by. */
    ServiceProcess startProvisioner(String name) {
        return awaitProvisioner(service(name).start());
    }

    private ServiceProcess awaitProvisioner(ServiceProcess provisioner) {
        // The provisioners' management ports are chosen by the kernel (port 0) and not known here, so their relays'
        // state (the velocity.cdc.streaming gauge) is read from their logs: the lock and slot in PostgreSQL name a
        // backend, not the process that holds it. The relay comes first: its line is this incarnation's own, whereas
        // the group still lists a provisioner killed a moment ago (static membership keeps its member until its
        // session times out), so the group alone does not tell that this one started. Both get a start's patience:
        // on a loaded machine a provisioner's JVM took a minute to start.
        provisioner.awaitReady(() -> provisioner.logText().contains("relay streaming")
                || provisioner.logText().contains("standing by"), "has its relay streaming or standing by");
        provisioner.awaitReady(() -> joinedCommandGroup(provisioner.name()), "has joined the command consumer group");
        return provisioner;
    }

    private ServiceProcess define(String name) {
        String bootstrap = kafka.bootstrapServers();
        if (name.startsWith("p")) {
            return new ServiceProcess(name, classpath, ProvisionerApplication.class, List.of(
                    "--server.port=0",
                    "--spring.datasource.url=" + db.jdbcUrl(),
                    "--spring.datasource.username=" + db.username(),
                    "--spring.datasource.password=" + db.password(),
                    "--velocity.provisioner.kafka.bootstrap-servers=" + bootstrap,
                    "--velocity.provisioner.kafka.group-id=" + GROUP,
                    // static membership: a restarted provisioner takes its partitions back at once
                    "--velocity.provisioner.kafka.consumer.group.instance.id=" + GROUP + "-" + name,
                    "--velocity.provisioner.machines.local.root-dir=" + machinesRoot,
                    // machines outlive their provisioner, as Fly machines do
                    "--velocity.provisioner.machines.local.stop-machines-on-close=false",
                    "--velocity.provisioner.cdc.standby-retry=1s",
                    // a short retry budget, so that an outage of seconds already outlasts it
                    "--velocity.provisioner.retry.max-attempts=3",
                    "--velocity.provisioner.retry.initial-delay=100ms",
                    "--velocity.provisioner.retry.max-delay=200ms",
                    "--spring.datasource.hikari.connection-timeout=1000"), logs, null);
        }
        if (name.startsWith("r")) {
            int port = routerPorts.get(name);
            return new ServiceProcess(name, classpath, RouterApplication.class, List.of(
                    "--server.port=" + port,
                    "--velocity.router.kafka.bootstrap-servers=" + bootstrap,
                    // shorter than the audit's patience, so a request held by mistake comes back as a 504 naming the status
                    "--velocity.router.max-hold=20s",
                    "--velocity.router.preview-token-secret=" + Credentials.SECRET,
                    // the audit compares each router's own directory with the database
                    "--management.endpoints.web.exposure.include=health,metrics,sessions",
                    // the session API brings Spring Security onto the suite's class path; a router has none (as the
                    // launcher runs it), or its actuator would want a login
                    "--spring.autoconfigure.exclude=" + String.join(",",
                            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
                            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration")),
                    logs, URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"));
        }
        if (name.startsWith("c")) {
            // cleanup instances c1/c2, one group: only the scenario that kills one runs them
            int port = cleanupPorts.computeIfAbsent(name, any -> LoopbackPorts.free());
            return new ServiceProcess(name, classpath, CleanupApplication.class, List.of(
                    "--server.port=" + port,
                    "--velocity.cleanup.kafka.bootstrap-servers=" + bootstrap,
                    "--velocity.cleanup.kafka.application-id=" + CLEANUP_GROUP,
                    "--velocity.cleanup.kafka.state-dir=" + logs.resolve(name + "-state"),
                    // a killed instance's partitions move after this long, not Kafka Streams' default 45 s
                    "--velocity.cleanup.kafka.streams.session.timeout.ms=6000",
                    "--velocity.cleanup.kafka.streams.heartbeat.interval.ms=1000",
                    "--velocity.cleanup.tick=200ms",
                    "--velocity.cleanup.machines.inventory=local",
                    "--velocity.cleanup.machines.local.root-dir=" + machinesRoot,
                    "--spring.autoconfigure.exclude=" + String.join(",",
                            "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
                            "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
                            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration")),
                    logs, URI.create("http://127.0.0.1:" + port + "/actuator/health/readiness"));
        }
        if (name.equals("api")) {
            return new ServiceProcess(name, classpath, SessionServiceApplication.class, List.of(
                    "--server.port=" + apiPort,
                    "--velocity.session-service.kafka.bootstrap-servers=" + bootstrap,
                    "--velocity.session-service.preview-base-url=http://localhost:" + routerPorts.get("r1"),
                    "--velocity.session-service.public-base-url=http://localhost:" + apiPort,
                    "--velocity.session-service.send-timeout=2s",
                    "--velocity.session-service.auth.hs256-secret=" + Credentials.SECRET,
                    "--velocity.session-service.preview-token-secret=" + Credentials.SECRET),
                    logs, URI.create("http://127.0.0.1:" + apiPort + "/actuator/health/readiness"));
        }
        throw new IllegalArgumentException("no service named " + name);
    }

    private void startView() {
        Properties config = new Properties();
        config.put(StreamsConfig.APPLICATION_ID_CONFIG, "fault-audit-view-" + UUID.randomUUID());
        config.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
        config.put(StreamsConfig.STATE_DIR_CONFIG, viewState.toString());
        view = new SessionDirectory(config);
        view.start();
    }

    /** The router's own directory code, fed by the same topics: what a router that never restarted believes. */
    SessionDirectory view() {
        return view;
    }

    /** Asks the API for a session for a fresh user; a 202 goes into the ledger. */
    SessionApi.Answer request(String scenario) {
        return request(scenario, staticProject());
    }

    /** Asks the API for a session of {@code project} for a fresh user, living {@code ttl}; a 202 goes into the ledger. */
    SessionApi.Answer request(String scenario, UUID project, Duration ttl) {
        String user = "fault-" + users.incrementAndGet();
        SessionApi.Answer answer = api.create(user, project, ttl);
        if (answer.status() == 202) {
            UUID id = answer.sessionId();
            ledger.put(id, new Requested(id, user, project, scenario));
        }
        return answer;
    }

    /** Asks the API for a session of {@code project} for a fresh user; a 202 goes into the ledger. */
    SessionApi.Answer request(String scenario, UUID project) {
        String user = "fault-" + users.incrementAndGet();
        SessionApi.Answer answer = api.create(user, project);
        if (answer.status() == 202) {
            UUID id = answer.sessionId();
            ledger.put(id, new Requested(id, user, project, scenario));
        }
        return answer;
    }

    /** Records a session whose CREATE the suite published itself. */
    void accepted(Requested requested) {
        ledger.put(requested.sessionId(), requested);
    }

    Map<UUID, Requested> ledger() {
        return Map.copyOf(ledger);
    }

    /** Every session row: status, version, machine. */
    Map<UUID, Row> rows() {
        Map<UUID, Row> rows = new HashMap<>();
        try (Connection connection = dataSource().getConnection();
             Statement statement = connection.createStatement();
             ResultSet result = statement.executeQuery(
                     "SELECT id, user_id, status, version, machine_id, machine_url FROM preview_sessions")) {
            while (result.next()) {
                UUID id = result.getObject(1, UUID.class);
                rows.put(id, new Row(id, result.getString(2), SessionStatus.valueOf(result.getString(3)),
                        result.getLong(4), result.getString(5), result.getString(6)));
            }
        } catch (SQLException e) {
            throw new IllegalStateException("cannot read preview_sessions: " + e.getMessage(), e);
        }
        return rows;
    }

    record Row(UUID id, String userId, SessionStatus status, long version, String machineId, String machineUrl) {
    }

    DataSource dataSource() {
        return db.dataSource();
    }

    /** Ends every ACTIVE session through the API, so machines do not pile up between scenarios. */
    void terminateActiveSessions() {
        List<Row> active = rows().values().stream().filter(row -> row.status() == SessionStatus.ACTIVE).toList();
        for (Row row : active) {
            await().atMost(Duration.ofSeconds(30)).until(() -> api.terminate(row.userId(), row.id()).status() == 202);
        }
        await().atMost(Duration.ofSeconds(60)).until(() -> active.stream()
                .allMatch(row -> rows().get(row.id()).status() == SessionStatus.TERMINATED));
    }

    KafkaProducer<byte[], byte[]> producer() {
        Map<String, Object> config = Map.of(
                ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ProducerConfig.ACKS_CONFIG, "all");
        return new KafkaProducer<>(config, new ByteArraySerializer(), new ByteArraySerializer());
    }

    KafkaConsumer<byte[], byte[]> consumer() {
        Map<String, Object> config = Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers(),
                ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, false);
        return new KafkaConsumer<>(config, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    }

    /**
     * Whether the named provisioner is a member of the command consumer group, its partitions (maybe none: the
     * topic has fewer than the provisioners) assigned; its static membership ({@code group.instance.id}) names it.
     */
    boolean joinedCommandGroup(String name) {
        try (Admin admin = Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
            ConsumerGroupDescription group = admin.describeConsumerGroups(List.of(GROUP)).describedGroups().get(GROUP)
                    .get(10, TimeUnit.SECONDS);
            return group.groupState() == GroupState.STABLE && group.members().stream()
                    .anyMatch(member -> member.groupInstanceId().filter((GROUP + "-" + name)::equals).isPresent());
        } catch (ExecutionException | TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The end offset of every partition of {@code topic}, summed: grows with every record written. */
    long endOffsets(String topic) {
        try (KafkaConsumer<byte[], byte[]> consumer = consumer()) {
            List<TopicPartition> partitions = partitions(consumer, topic);
            return consumer.endOffsets(partitions).values().stream().mapToLong(Long::longValue).sum();
        }
    }

    static List<TopicPartition> partitions(KafkaConsumer<byte[], byte[]> consumer, String topic) {
        List<PartitionInfo> infos = consumer.partitionsFor(topic, Duration.ofSeconds(30));
        return infos == null ? List.of() : infos.stream().map(i -> new TopicPartition(topic, i.partition())).toList();
    }

    /**
     * Saves a thread dump of a running service next to the logs ({@code jcmd Thread.print}) and returns its file,
     * or why there is none; for an answer that is late, while it is.
     */
    String threadDump(String name) {
        ServiceProcess service = service(name);
        Path file = logs.resolve(name + "-threads-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("HHmmss-SSS")) + ".txt");
        try {
            Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
            Process dump = new ProcessBuilder(jcmd.toString(), Long.toString(service.pid()), "Thread.print", "-l")
                    .redirectErrorStream(true).redirectOutput(file.toFile()).start();
            if (!dump.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
                dump.destroyForcibly();
                return "no thread dump of " + name + " within 30 s";
            }
            return file.toString();
        } catch (IOException | RuntimeException e) {
            return "no thread dump of " + name + ": " + e;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return "no thread dump of " + name + ": interrupted";
        }
    }

    /** Appends a scenario's figures to {@code figures.md} next to the logs (for docs/reliability.md). */
    void figures(String scenario, Map<String, ?> figures) {
        StringBuilder line = new StringBuilder("| ").append(scenario).append(" |");
        figures.forEach((key, value) -> line.append(' ').append(key).append('=').append(value).append(';'));
        line.append(" |\n");
        LOG.atInfo().addKeyValue("scenario", scenario).addKeyValue("figures", figures).log("scenario figures");
        try {
            Files.writeString(logs.resolve("figures.md"), line, java.nio.file.StandardOpenOption.CREATE,
                    java.nio.file.StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private synchronized void close() {
        services.values().forEach(ServiceProcess::kill9);
        try {
            machines.list().forEach(machine -> machines.destroy(machine.id()));
            machines.close();
        } catch (RuntimeException | LinkageError e) {
            LOG.atWarn().setCause(e).log("machines not all destroyed through the driver");
        }
        // whatever the driver missed: every process started with a path under this run's machine root
        String root = machinesRoot.toString();
        ProcessHandle.allProcesses()
                .filter(process -> process.info().commandLine().map(line -> line.contains(root)).orElse(false))
                .forEach(ProcessHandle::destroyForcibly);
        if (view != null) {
            view.close();
        }
        kafka.close();
        postgres.close();
    }

    /**
     * The services run on copies of the platform's own jars: other builds may install new ones into
     * the local repository while the suite runs, and a jar rewritten under a running JVM breaks it.
     */
    private static String snapshotClasspath(Path dir) throws IOException {
        Files.createDirectories(dir);
        List<String> entries = new ArrayList<>();
        for (String entry : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
            Path path = Path.of(entry);
            if (entry.contains("/dev/velocitypreview/") && Files.isRegularFile(path)) {
                Path copy = dir.resolve(path.getFileName());
                Files.copy(path, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                entries.add(copy.toString());
            } else {
                entries.add(entry);
            }
        }
        return String.join(java.io.File.pathSeparator, entries);
    }
}
