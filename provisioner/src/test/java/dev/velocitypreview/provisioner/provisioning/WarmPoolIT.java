package dev.velocitypreview.provisioner.provisioning;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.jdbc.core.namedparam.MapSqlParameterSource;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.PooledMachine;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandHandler.Outcome;
import dev.velocitypreview.provisioner.pool.PoolFixtures;
import dev.velocitypreview.provisioner.pool.WarmPools;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.templates.TemplateFile;
import dev.velocitypreview.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Warm pools on a real PostgreSQL, with the driver seam recorded: what a CREATE takes from a pool, what it sends the
 * machine, when it falls back to a fresh machine, and what the keeper keeps and reaps. With the real local driver and
 * runtime, end to end, in the launcher's {@code PlatformWarmPoolIT}.
 */
class WarmPoolIT {

    private static final Template REACT = TemplateCatalog.builtIn().named("react").orElseThrow();
    private static DataSource dataSource;
    private static NamedParameterJdbcTemplate jdbc;

    private final RecordingMachineDriver driver = new RecordingMachineDriver();
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private PoolFixtures.Keeper keeper;

    @BeforeAll
    static void migrate() {
        dataSource = TestPostgres.shared().createDatabase().dataSource();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    @BeforeEach
    void emptyPools() {
        jdbc.update("DELETE FROM machine_pool", Map.of());
    }

    @AfterEach
    void stopKeeper() {
        if (keeper != null) {
            keeper.close();
        }
    }

    @Test
    void aCreateClaimsAPooledMachineAndSendsItOnlyTheFilesThatDifferFromTheTemplate() {
        SessionProvisioner provisioner = pooled(2);
        awaitReady(2);
        UUID project = projectFromTemplate(Map.of(REACT.mainFile(), "export default function App() { return <h1>mine</h1> }\n"));
        SessionCommand.Create create = create(project);

        assertThat(provisioner.create(create)).isEqualTo(Outcome.APPLIED);

        SessionRow row = new SessionRows(jdbc).find(create.sessionId()).orElseThrow();
        assertThat(row.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(driver.created).as("no fresh machine").isEmpty();
        assertThat(driver.claims).hasSize(1);
        assertThat(row.machineId()).isEqualTo(driver.claims.get(0).getKey());
        MachineClaim claim = driver.claims.get(0).getValue();
        assertThat(claim.sessionId()).isEqualTo(create.sessionId());
        assertThat(claim.files().files()).as("every stored file with its version")
                .extracting(SyncedFile::path).containsExactlyInAnyOrderElementsOf(REACT.files().stream().map(TemplateFile::path).toList());
        assertThat(claim.files().files().stream().filter(file -> file.content() != null).map(SyncedFile::path))
                .as("content only where the project differs from the template").containsExactly(REACT.mainFile());
        assertThat(claim.files().deleted()).isEmpty();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            assertThat(places("ready")).as("the pool refilled").isEqualTo(2);
            assertThat(places("claimed")).as("the claimed place stays the session's while it lives").isEqualTo(1);
        });
        assertThat(meters.counter("velocity.provisioner.pool.claims", "pool", "react", "outcome", "claimed").count())
                .isEqualTo(1);
    }

    /**
     * On Fly a pool's machine that restarted rather than resumed boots its image in pool mode again, serving no session:
     * a resume claims it again, with the project's files as they are now, and the session goes on on that machine.
     */
    @Test
    void aResumedSessionFromThePoolClaimsItsMachineAgainAndItsPlaceIsForgottenWhenTheSessionEnds() {
        SessionProvisioner provisioner = pooled(1);
        awaitReady(1);
        UUID project = projectFromTemplate(Map.of());
        SessionCommand.Create create = create(project);
        assertThat(provisioner.create(create)).isEqualTo(Outcome.APPLIED);
        String machine = new SessionRows(jdbc).find(create.sessionId()).orElseThrow().machineId();
        assertThat(provisioner.suspend(SessionCommand.suspend(create.sessionId(), "user-1", Instant.now())))
                .isEqualTo(Outcome.APPLIED);
        String edited = "export default function App() { return <h1>edited while suspended</h1> }\n";
        jdbc.update("UPDATE project_files SET content = :content, version = 4 WHERE project_id = :project AND file_path = :path",
                new MapSqlParameterSource("content", edited).addValue("project", project).addValue("path", REACT.mainFile()));

        assertThat(provisioner.resume(SessionCommand.resume(create.sessionId(), "user-1", Instant.now())))
                .isEqualTo(Outcome.APPLIED);

        SessionRow row = new SessionRows(jdbc).find(create.sessionId()).orElseThrow();
        assertThat(row.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(row.machineId()).isEqualTo(machine);
        assertThat(driver.claims).extracting(Map.Entry::getKey).containsExactly(machine, machine);
        MachineClaim again = driver.claims.get(1).getValue();
        assertThat(again.sessionId()).isEqualTo(create.sessionId());
        assertThat(again.files().files()).filteredOn(file -> file.path().equals(REACT.mainFile()))
                .extracting(SyncedFile::content).as("the file as it is now").containsExactly(edited);

        assertThat(provisioner.terminate(SessionCommand.terminate(create.sessionId(), "user-1", "user", Instant.now())))
                .isEqualTo(Outcome.APPLIED);
        keeper.reconcile();
        assertThat(places("claimed")).as("forgotten once the session ended").isZero();
    }

    @Test
    void aClaimTellsTheMachineWhichTemplateFilesTheProjectDoesNotHave() {
        SessionProvisioner provisioner = pooled(1);
        awaitReady(1);
        String removed = REACT.files().stream().map(TemplateFile::path)
                .filter(path -> !path.equals(REACT.mainFile()) && !path.startsWith("package")).findFirst().orElseThrow();
        UUID project = projectFromTemplate(Map.of(), removed);

        assertThat(provisioner.create(create(project))).isEqualTo(Outcome.APPLIED);

        assertThat(driver.claims.get(0).getValue().files().deleted()).containsExactly(removed);
    }

    @Test
    void anEmptyPoolFallsBackToAFreshMachine() {
        SessionProvisioner provisioner = provisioner(settings(settings(Map.of("react", 1))));
        SessionCommand.Create create = create(projectFromTemplate(Map.of()));

        assertThat(provisioner.create(create)).isEqualTo(Outcome.APPLIED);

        assertThat(driver.created).extracting(spec -> spec.sessionId()).containsExactly(create.sessionId());
        assertThat(driver.claims).isEmpty();
        assertThat(new SessionRows(jdbc).find(create.sessionId()).orElseThrow().status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(meters.counter("velocity.provisioner.pool.claims", "pool", "react", "outcome", "empty").count())
                .isEqualTo(1);
    }

    @Test
    void aProjectWithOtherDependenciesGetsAFreshMachineAndLeavesThePoolAlone() {
        SessionProvisioner provisioner = pooled(1);
        awaitReady(1);
        String manifest = content("package.json").replace("\"private\": true", "\"private\": true, \"description\": \"x\"");
        assertThat(manifest).isNotEqualTo(content("package.json"));
        SessionCommand.Create create = create(projectFromTemplate(Map.of("package.json", manifest)));

        assertThat(provisioner.create(create)).isEqualTo(Outcome.APPLIED);

        assertThat(driver.claims).isEmpty();
        assertThat(driver.created).hasSize(1);
        assertThat(places("ready")).isEqualTo(1);
    }

    @Test
    void aSessionWhoseTierGrantsAnotherSizeGetsAFreshMachine() {
        SessionProvisioner provisioner = pooled(1);
        awaitReady(1);
        SessionCommand.Create create = SessionCommand.create(UUID.randomUUID(), "user-1", projectFromTemplate(Map.of()),
                "react", Tier.PRO, Visibility.PUBLIC, Duration.ofMinutes(45), new MachineSize("shared", 1, 1024),
                Duration.ofMinutes(10), Instant.now());

        assertThat(provisioner.create(create)).isEqualTo(Outcome.APPLIED);

        assertThat(driver.claims).isEmpty();
        assertThat(driver.created).hasSize(1);
    }

    @Test
    void aPooledMachineThatRefusesTheClaimIsDestroyedAndTheSessionGetsAFreshOne() {
        SessionProvisioner provisioner = pooled(1);
        awaitReady(1);
        String pooled = driver.pooledNow().get(0).id();
        driver.failNextClaim(new MachineException("machine " + pooled + " refused the claim: 422 files refused", false));
        SessionCommand.Create create = create(projectFromTemplate(Map.of()));

        assertThat(provisioner.create(create)).isEqualTo(Outcome.APPLIED);

        SessionRow row = new SessionRows(jdbc).find(create.sessionId()).orElseThrow();
        assertThat(row.status()).isEqualTo(SessionStatus.ACTIVE);
        assertThat(row.machineId()).isNotEqualTo(pooled).isEqualTo(driver.live().stream()
                .filter(m -> m.sessionId().equals(create.sessionId())).findFirst().orElseThrow().id());
        assertThat(driver.destroyed).contains(pooled);
        assertThat(meters.counter("velocity.provisioner.pool.claims", "pool", "react", "outcome", "failed").count())
                .isEqualTo(1);
    }

    /**
     * The provisioner dies after the claim was recorded and before the session is ACTIVE (here: its thread is
     * interrupted while the machine answers the claim); the CREATE delivered again finishes on the same machine.
     */
    @Test
    void aProvisionerKilledBetweenClaimAndActiveLeavesOneMachineForTheSessionAndThePoolIntact() throws Exception {
        SessionProvisioner provisioner = pooled(2);
        awaitReady(2);
        SessionCommand.Create create = create(projectFromTemplate(Map.of()));
        RecordingMachineDriver.Hold hold = driver.holdReady(create.sessionId());
        ExecutorService first = Executors.newSingleThreadExecutor();
        try {
            Future<Outcome> killed = first.submit(() -> provisioner.create(create));
            assertThat(hold.awaitReached(20, TimeUnit.SECONDS)).isTrue();
            SessionRow claimedRow = new SessionRows(jdbc).find(create.sessionId()).orElseThrow();
            assertThat(claimedRow.status()).isEqualTo(SessionStatus.STARTING);
            String claimed = claimedRow.machineId();
            first.shutdownNow();
            assertThatThrownBy(killed::get).hasCauseInstanceOf(CancellationException.class);
            hold.release();

            assertThat(provisioner.create(create)).as("the CREATE delivered again").isEqualTo(Outcome.APPLIED);

            SessionRow row = new SessionRows(jdbc).find(create.sessionId()).orElseThrow();
            assertThat(row.status()).isEqualTo(SessionStatus.ACTIVE);
            assertThat(row.machineId()).isEqualTo(claimed);
            assertThat(driver.live()).filteredOn(m -> m.sessionId().equals(create.sessionId()))
                    .extracting(Machine::id).containsExactly(claimed);
            assertThat(driver.created).as("no fresh machine").isEmpty();
            assertThat(driver.destroyed).isEmpty();
            assertThat(driver.pooledNow()).as("the rest of the pool").extracting(PooledMachine::id)
                    .doesNotContain(claimed).isNotEmpty();
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(places("ready")).isEqualTo(2));
        } finally {
            first.shutdownNow();
        }
    }

    @Test
    void theKeeperReapsPooledMachinesNoPoolWantsAndLeavesTheOthersAlone() {
        pooled(2);
        awaitReady(2);
        List<String> wanted = driver.pooledNow().stream().map(PooledMachine::id).toList();
        PooledMachine stray = driver.strayPooled(driver.pooledNow().get(0).pool());
        PooledMachine otherTemplate = driver.strayPooled("vue-000000000000");

        keeper.reconcile();

        assertThat(driver.destroyed).containsExactlyInAnyOrder(stray.id(), otherTemplate.id());
        assertThat(driver.pooledNow()).extracting(PooledMachine::id).containsExactlyInAnyOrderElementsOf(wanted);
    }

    @Test
    void aPoolThatShrankOrStoppedIsReapedAndAStoppedMachineIsMadeAgain() {
        pooled(2);
        awaitReady(2);
        List<PooledMachine> before = driver.pooledNow();
        keeper.close();
        driver.stopPooled(before.get(0).id());

        keeper = PoolFixtures.keeper(pools(settings(Map.of("react", 1))), settings(Map.of("react", 1)), jdbc, driver,
                transactions(), Clock.systemUTC(), meters);
        keeper.reconcile();

        assertThat(driver.destroyed).as("the stopped one, no longer parked").contains(before.get(0).id());
        assertThat(driver.pooledNow()).extracting(PooledMachine::id).containsExactly(before.get(1).id());

        keeper.close();
        keeper = PoolFixtures.keeper(pools(settings(Map.of())), settings(Map.of()), jdbc, driver, transactions(),
                Clock.systemUTC(), meters);
        keeper.reconcile();

        assertThat(driver.pooledNow()).as("pools turned off: their machines go").isEmpty();
        assertThat(places("ready")).isZero();
    }

    // ---- fixtures

    private SessionProvisioner pooled(int machines) {
        ProvisionerSettings settings = settings(settings(Map.of("react", machines)));
        WarmPools pools = pools(settings.pool());
        keeper = PoolFixtures.keeper(pools, settings.pool(), jdbc, driver, transactions(), Clock.systemUTC(), meters);
        keeper.start();
        return provisioner(settings, pools);
    }

    private SessionProvisioner provisioner(ProvisionerSettings settings) {
        return provisioner(settings, pools(settings.pool()));
    }

    private SessionProvisioner provisioner(ProvisionerSettings settings, WarmPools pools) {
        return new SessionProvisioner(new SessionRows(jdbc), new Projects(jdbc, TemplateCatalog.builtIn()), transactions(),
                driver, new MachineEnvironment(settings.machines().sync(), null), pools, settings, Clock.systemUTC(),
                meters);
    }

    private WarmPools pools(ProvisionerSettings.Pool settings) {
        return PoolFixtures.pools(settings, jdbc, meters);
    }

    private static TransactionTemplate transactions() {
        return new TransactionTemplate(new JdbcTransactionManager(dataSource));
    }

    private static ProvisionerSettings.Pool settings(Map<String, Integer> templates) {
        return new ProvisionerSettings.Pool(templates, "shared-cpu-1x:256MB", Duration.ofSeconds(5),
                Duration.ofMillis(50), Duration.ofMinutes(10));
    }

    private static ProvisionerSettings settings(ProvisionerSettings.Pool pool) {
        return new ProvisionerSettings(
                new ProvisionerSettings.Kafka("localhost:9092", "provisioner", Duration.ofMillis(100), null, null),
                new ProvisionerSettings.Concurrency(4, 16, Duration.ofSeconds(5)),
                new ProvisionerSettings.Retry(3, Duration.ofMillis(1), Duration.ofMillis(5)),
                Duration.ofSeconds(5),
                new ProvisionerSettings.Machines(ProvisionerSettings.Driver.LOCAL,
                        new ProvisionerSettings.Local(null, null, true), null, new ProvisionerSettings.Sync(null, null),
                        null),
                new ProvisionerSettings.Files(Duration.ofDays(8), Duration.ofHours(1)), pool);
    }

    private void awaitReady(int machines) {
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(places("ready")).isEqualTo(machines));
    }

    private static int places(String state) {
        Integer count = jdbc.queryForObject("SELECT count(*) FROM machine_pool WHERE state = :state",
                new MapSqlParameterSource("state", state), Integer.class);
        return count == null ? 0 : count;
    }

    private static String content(String path) {
        return REACT.files().stream().filter(file -> file.path().equals(path)).findFirst().orElseThrow().content();
    }

    /** A project with the react template's files, some replaced, some left out. */
    private static UUID projectFromTemplate(Map<String, String> replaced, String... left) {
        UUID project = UUID.randomUUID();
        jdbc.update("INSERT INTO projects (id, name, template_type, owner_id) VALUES (:id, 'p', 'react', 'user-1')",
                Map.of("id", project));
        for (TemplateFile file : REACT.files()) {
            if (List.of(left).contains(file.path())) {
                continue;
            }
            jdbc.update("""
                    INSERT INTO project_files (id, project_id, file_path, content, size, version)
                    VALUES (:id, :project, :path, :content, 0, 3)""",
                    new MapSqlParameterSource("id", UUID.randomUUID()).addValue("project", project)
                            .addValue("path", file.path()).addValue("content", replaced.getOrDefault(file.path(), file.content())));
        }
        return project;
    }

    private static SessionCommand.Create create(UUID project) {
        return SessionCommand.create(UUID.randomUUID(), "user-1", project, "react", Tier.FREE, Visibility.PUBLIC,
                Duration.ofMinutes(45), new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }
}
