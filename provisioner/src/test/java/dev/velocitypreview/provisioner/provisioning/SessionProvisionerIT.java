package dev.velocitypreview.provisioner.provisioning;

import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.ArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.sql.DataSource;

import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.jdbc.core.namedparam.NamedParameterJdbcTemplate;
import org.springframework.jdbc.support.JdbcTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

import dev.velocitypreview.core.access.SessionSyncToken;
import dev.velocitypreview.core.command.SessionCommand;
import dev.velocitypreview.core.config.Secret;
import dev.velocitypreview.core.command.TerminationReason;
import dev.velocitypreview.core.retry.Backoff;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.core.session.Visibility;
import dev.velocitypreview.machines.Machine;
import dev.velocitypreview.machines.MachineDriver;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.MachineState;
import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.machines.fly.FlyMachinesDriver;
import dev.velocitypreview.machines.fly.FlyMachinesSettings;
import dev.velocitypreview.provisioner.ProvisionerSettings;
import dev.velocitypreview.provisioner.commands.CommandHandler.Outcome;
import dev.velocitypreview.provisioner.pool.PoolFixtures;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.templates.TemplateFile;
import dev.velocitypreview.testkit.TestPostgres;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.assertj.core.api.Assertions.within;

/**
 * Provisioning decisions on a real PostgreSQL, with our driver seam recorded so that failures can
 * be injected at each step. The end-to-end path with the real local driver is in {@code ProvisionerIT}.
 */
class SessionProvisionerIT {

    private static DataSource dataSource;
    private static NamedParameterJdbcTemplate jdbc;

    private final RecordingMachineDriver driver = new RecordingMachineDriver();
    private final ProvisionerSettings settings = settings(new ProvisionerSettings.Sync(null, null));
    private final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    private SessionRows sessions;
    private SessionProvisioner provisioner;

    @BeforeAll
    static void migrate() {
        dataSource = TestPostgres.shared().createDatabase().dataSource();
        Flyway.configure().dataSource(dataSource).locations("classpath:db/migration").load().migrate();
        jdbc = new NamedParameterJdbcTemplate(dataSource);
    }

    @BeforeEach
    void provisioner() {
        sessions = new SessionRows(jdbc);
        provisioner = provisioner(driver, settings,
                Clock.systemUTC(), meters);
    }

    @Test
    void createWritesAnActiveRowWithItsMachineAndAProjectMadeFromItsTemplate() {
        SessionCommand.Create create = create(Tier.PRO);

        Outcome outcome = provisioner.create(create);

        assertThat(outcome).isEqualTo(Outcome.APPLIED);
        SessionRow row = sessions.find(create.sessionId()).orElseThrow();
        assertThat(row.status().name()).isEqualTo("ACTIVE");
        assertThat(row.version()).as("PROVISIONING, STARTING, ACTIVE").isEqualTo(3);
        assertThat(row.machineId()).isEqualTo(driver.live().get(0).id());
        assertThat(row.machineUrl()).isEqualTo(driver.live().get(0).url());
        assertThat(row.readyAt()).isCloseTo(Instant.now(), within(10, ChronoUnit.SECONDS));
        assertThat(expiresAt(create.sessionId())).as("the ttl the API granted, counted from now")
                .isCloseTo(Instant.now().plus(Duration.ofMinutes(45)), within(10, ChronoUnit.SECONDS));
        Template react = TemplateCatalog.builtIn().named("react").orElseThrow();
        assertThat(driver.created.get(0).files()).as("the machine gets the template's files")
                .extracting(ProjectFile::path, ProjectFile::content)
                .containsExactlyInAnyOrderElementsOf(react.files().stream()
                        .map(file -> tuple(file.path(), file.content())).toList());
        assertThat(templateOf(create.projectId())).isEqualTo("react");
        assertThat(driver.lookedUp).as("a row this command inserted cannot have a machine yet: no lookup").isEmpty();
    }

    /** Next.js refuses its page's own origin unless its dev server is told the domain previews are served under. */
    @Test
    void aConfiguredPreviewDomainIsGivenToEveryMachine() {
        SessionProvisioner provisioner = provisioner(driver, settings(new ProvisionerSettings.Sync(null, null), "preview.example.com"), Clock.systemUTC(), meters);
        SessionCommand.Create create = create(Tier.FREE);

        assertThat(provisioner.create(create)).isEqualTo(Outcome.APPLIED);

        assertThat(driver.created.get(0).env()).containsExactly(Map.entry("PREVIEW_DOMAIN", "preview.example.com"));
    }

    @Test
    void withLiveEditsEachMachineGetsItsOwnSessionsSyncAddressAndToken() {
        SessionProvisioner syncing = provisioner(driver, settings(new ProvisionerSettings.Sync(URI.create("http://velocity-api.internal:8080/"),
                        new Secret("sync-secret"))), Clock.systemUTC(), meters);
        SessionCommand.Create first = create(Tier.FREE);
        SessionCommand.Create second = create(Tier.FREE);

        assertThat(syncing.create(first)).isEqualTo(Outcome.APPLIED);
        assertThat(syncing.create(second)).isEqualTo(Outcome.APPLIED);

        Map<String, String> env = driver.created.get(0).env();
        assertThat(env).containsOnlyKeys("PREVIEW_SYNC_URL", "PREVIEW_SYNC_TOKEN");
        assertThat(env.get("PREVIEW_SYNC_URL"))
                .isEqualTo("http://velocity-api.internal:8080/machine/v1/sessions/" + first.sessionId() + "/sync");
        assertThat(SessionSyncToken.matches("sync-secret", first.sessionId(), env.get("PREVIEW_SYNC_TOKEN"))).isTrue();
        assertThat(env.get("PREVIEW_SYNC_TOKEN")).as("never the secret itself").doesNotContain("sync-secret");
        String otherToken = driver.created.get(1).env().get("PREVIEW_SYNC_TOKEN");
        assertThat(SessionSyncToken.matches("sync-secret", first.sessionId(), otherToken))
                .as("another session's token does not sync this one").isFalse();
        assertThat(SessionSyncToken.matches("sync-secret", second.sessionId(), otherToken)).isTrue();
    }

    @Test
    void withoutLiveEditsAMachineGetsNoSyncAddressOrToken() {
        assertThat(provisioner.create(create(Tier.FREE))).isEqualTo(Outcome.APPLIED);

        assertThat(driver.created.get(0).env()).doesNotContainKeys("PREVIEW_SYNC_URL", "PREVIEW_SYNC_TOKEN");
    }

    @Test
    void anExistingProjectWithFilesKeepsThemUntouched() {
        UUID project = UUID.randomUUID();
        insertProject(project, "react");
        jdbc.update("""
                INSERT INTO project_files (id, project_id, file_path, content, size, version)
                VALUES (:id, :project, 'index.html', '<h1>mine</h1>', 13, 7)""",
                Map.of("id", UUID.randomUUID(), "project", project));

        assertThat(provisioner.create(create(Tier.FREE, project, "react"))).isEqualTo(Outcome.APPLIED);

        assertThat(driver.created.get(0).files()).extracting(ProjectFile::path, ProjectFile::content)
                .containsExactly(tuple("index.html", "<h1>mine</h1>"));
        assertThat(jdbc.queryForObject("SELECT version FROM project_files WHERE project_id = :project",
                Map.of("project", project), Long.class)).as("not written again").isEqualTo(7L);
    }

    @Test
    void anExistingProjectWithoutFilesGetsTheTemplateItRecords() {
        UUID project = UUID.randomUUID();
        List<Template> catalog = TemplateCatalog.builtIn().all();
        // the catalog's last template (react-native) recorded, its first (react) requested
        Template recorded = catalog.get(catalog.size() - 1);
        insertProject(project, recorded.name());

        assertThat(provisioner.create(create(Tier.FREE, project, catalog.get(0).name()))).isEqualTo(Outcome.APPLIED);

        assertThat(pathsOf(project)).containsExactlyInAnyOrderElementsOf(pathsOf(recorded));
        assertThat(driver.created.get(0).files()).extracting(ProjectFile::content)
                .containsExactlyInAnyOrderElementsOf(recorded.files().stream().map(TemplateFile::content).toList());
        assertThat(templateOf(project)).isEqualTo(recorded.name());
    }

    @Test
    void anOldStaticProjectWithoutFilesGetsTheSessionsTemplateAndRecordsIt() {
        UUID project = UUID.randomUUID();
        insertProject(project, "static");

        assertThat(provisioner.create(create(Tier.FREE, project, "react"))).isEqualTo(Outcome.APPLIED);

        assertThat(pathsOf(project)).containsExactlyInAnyOrderElementsOf(pathsOf(templateNamed("react")));
        assertThat(templateOf(project)).isEqualTo("react");
    }

    @Test
    void aCreateFromBeforeTemplatesMakesItsNewProjectFromTheDefault() {
        UUID project = UUID.randomUUID();

        assertThat(provisioner.create(create(Tier.FREE, project, null))).isEqualTo(Outcome.APPLIED);

        assertThat(pathsOf(project)).containsExactlyInAnyOrderElementsOf(pathsOf(templateNamed(TemplateCatalog.DEFAULT)));
        assertThat(templateOf(project)).isEqualTo(TemplateCatalog.DEFAULT);
    }

    @Test
    void aTemplateThisProvisionerDoesNotKnowFailsTheSessionNamingItAndWritesNoProject() {
        UUID project = UUID.randomUUID();
        SessionCommand.Create create = create(Tier.FREE, project, "cobol");

        assertThat(provisioner.create(create)).isEqualTo(Outcome.FAILED);

        assertThat(sessions.find(create.sessionId()).orElseThrow().error()).contains("template 'cobol' is not one of");
        assertThat(driver.created).isEmpty();
        assertThat(jdbc.queryForObject("SELECT count(*) FROM projects WHERE id = :id", Map.of("id", project), Long.class))
                .as("no project is made from a template it does not know").isZero();
    }

    @Test
    void twoSessionsOfOneNewProjectProcessedAtOnceCreateItOnce() throws Exception {
        UUID project = UUID.randomUUID();
        List<SessionCommand.Create> creates = List.of(create(Tier.FREE, project, "react"), create(Tier.FREE, project, "react"));
        ExecutorService lanes = Executors.newFixedThreadPool(2);
        try {
            CountDownLatch ready = new CountDownLatch(2);
            List<Future<Outcome>> outcomes = new ArrayList<>();
            for (SessionCommand.Create create : creates) {
                outcomes.add(lanes.submit(() -> {
                    ready.countDown();
                    ready.await();
                    return provisioner.create(create);
                }));
            }
            for (Future<Outcome> outcome : outcomes) {
                assertThat(outcome.get(30, TimeUnit.SECONDS)).isEqualTo(Outcome.APPLIED);
            }
        } finally {
            lanes.shutdownNow();
        }

        assertThat(jdbc.queryForObject("SELECT count(*) FROM projects WHERE id = :id", Map.of("id", project), Long.class))
                .isEqualTo(1L);
        assertThat(pathsOf(project)).as("one copy of each file").hasSameSizeAs(templateNamed("react").files())
                .containsExactlyInAnyOrderElementsOf(pathsOf(templateNamed("react")));
        assertThat(driver.created).hasSize(2).allSatisfy(spec -> assertThat(spec.files())
                .hasSameSizeAs(templateNamed("react").files()));
    }

    @Test
    void theMachineSizeAndIdleTimeoutTheTierGrantedAreRecordedAndTheMachineGetsThatSize() {
        MachineSize granted = new MachineSize("shared", 2, 2048);
        SessionCommand.Create create = SessionCommand.create(UUID.randomUUID(), "user-1", UUID.randomUUID(), "react", Tier.TEAM,
                Visibility.PUBLIC, Duration.ofHours(8), granted, Duration.ofMinutes(60), Instant.now());

        provisioner.create(create);

        assertThat(driver.created).singleElement().extracting(MachineSpec::size).isEqualTo(granted);
        assertThat(sessions.find(create.sessionId()).orElseThrow().machine()).isEqualTo(granted);
        assertThat(jdbc.queryForObject("SELECT resource_limits::text FROM preview_sessions WHERE id = :id",
                Map.of("id", create.sessionId()), String.class))
                .isEqualTo("{\"machine\": \"shared-cpu-2x:2048MB\", \"idle_timeout_seconds\": 3600}");
    }

    @Test
    void aRowWrittenBeforeCreatesCarriedTheirSizeFailsItsSessionSayingWhyRatherThanGuessingASize() {
        SessionCommand.Create create = create(Tier.FREE);
        sessions.insertProvisioning(create, Instant.now().plus(create.ttl()));
        jdbc.update("UPDATE preview_sessions SET resource_limits = '{}'::jsonb WHERE id = :id",
                Map.of("id", create.sessionId()));

        Outcome outcome = provisioner.create(create);

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().error()).contains("no machine size on its row");
        assertThat(driver.created).isEmpty();
    }

    @Test
    void createDeliveredTwiceYieldsOneMachineAndOneRow() {
        SessionCommand.Create create = create(Tier.FREE);

        provisioner.create(create);
        Outcome second = provisioner.create(create);

        assertThat(second).isEqualTo(Outcome.SKIPPED);
        assertThat(driver.created).hasSize(1);
        assertThat(driver.live()).hasSize(1);
        assertThat(sessions.find(create.sessionId()).orElseThrow().version()).isEqualTo(3);
    }

    @Test
    void createRedeliveredAfterACrashUsesTheMachineTheCrashedAttemptMade() {
        SessionCommand.Create create = create(Tier.FREE);
        Machine leftOver = driver.existing(create.sessionId(), MachineState.STARTED);

        provisioner.create(create);

        assertThat(driver.created).isEmpty();
        assertThat(sessions.find(create.sessionId()).orElseThrow().machineId()).isEqualTo(leftOver.id());
    }

    @Test
    void aStoppedMachineFoundForTheSessionIsStartedRatherThanReplaced() {
        SessionCommand.Create create = create(Tier.FREE);
        Machine stopped = driver.existing(create.sessionId(), MachineState.STOPPED);

        provisioner.create(create);

        assertThat(driver.started).containsExactly(stopped.id());
        assertThat(driver.created).isEmpty();
        assertThat(sessions.find(create.sessionId()).orElseThrow().status().name()).isEqualTo("ACTIVE");
    }

    @Test
    void aRefusedProjectFailsTheSessionWithTheRuntimesMessageAndLeavesNoMachine() {
        SessionCommand.Create create = create(Tier.FREE);
        driver.failNextAwaitReady(new MachineException("runtime refused file '../evil': path leaves the project", false));

        Outcome outcome = provisioner.create(create);

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        SessionRow row = sessions.find(create.sessionId()).orElseThrow();
        assertThat(row.status().name()).isEqualTo("FAILED");
        assertThat(row.error()).contains("../evil");
        assertThat(row.terminatedAt()).isNotNull();
        assertThat(driver.live()).isEmpty();
        assertThat(driver.destroyed).hasSize(1);
    }

    @Test
    void aTransientMachineFailureIsTheDriversLastWordAndFailsTheSessionWithoutAnotherRoundOfRetries() {
        SessionCommand.Create create = create(Tier.FREE);
        for (int i = 0; i < 3; i++) {
            driver.failNextCreate(new MachineException("machines api unavailable #" + i, true));
        }

        Outcome outcome = provisioner.create(create);

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().error())
                .as("the driver retried already: one create call, not the provisioner's three")
                .isEqualTo("machines api unavailable #0");
        assertThat(driver.live()).isEmpty();
    }

    @Test
    void aFailingFlyApiGetsAtMostTheDriversAttemptsForOneStep() throws Exception {
        AtomicInteger creates = new AtomicInteger();
        try (MockWebServer fly = new MockWebServer()) {
            fly.setDispatcher(new Dispatcher() {
                @Override
                public MockResponse dispatch(RecordedRequest request) {
                    if ("POST".equals(request.getMethod())) {
                        creates.incrementAndGet();
                        return new MockResponse.Builder().code(503).addHeader("Content-Type", "application/json")
                                .body("{\"error\":\"service unavailable\"}").build();
                    }
                    // every lookup: no machine, so each attempt is a create
                    return new MockResponse.Builder().code(200).addHeader("Content-Type", "application/json")
                            .body("[]").build();
                }
            });
            fly.start();
            int driverAttempts = 2;
            FlyMachinesSettings flySettings = FlyMachinesSettings.of("test-token", "velocity-previews",
                            "registry.fly.io/velocity-previews:test", List.of("ams"))
                    .withBaseUrl(fly.url("/").uri())
                    .withRateLimits(new FlyMachinesSettings.RateLimits(1000, 100, 1000, 100))
                    .withRetry(new FlyMachinesSettings.Retry(driverAttempts,
                            new Backoff(Duration.ofMillis(1), Duration.ofMillis(2)), 1, Duration.ofMillis(1)));
            try (FlyMachinesDriver flyDriver = new FlyMachinesDriver(flySettings)) {
                SessionProvisioner overFly = provisioner(flyDriver, settings,
                        Clock.systemUTC(), new SimpleMeterRegistry());

                Outcome outcome = overFly.create(create(Tier.FREE));

                assertThat(outcome).isEqualTo(Outcome.FAILED);
                assertThat(settings.retry().maxAttempts()).isGreaterThan(1);
                assertThat(creates).as("the driver's attempts, not multiplied by the provisioner's")
                        .hasValue(driverAttempts);
            }
        }
    }

    @Test
    void aDatabaseOutageThatOutlastsTheRetriesLeavesTheSessionToTheNextAttemptInsteadOfFailingIt() {
        SessionCommand.Create create = create(Tier.FREE);
        // the connection drops at the step after the machine is created, on every attempt, and is back afterwards
        for (int i = 0; i < 3; i++) {
            driver.failNextAwaitReady(new DataAccessResourceFailureException("connection refused #" + i));
        }

        assertThatThrownBy(() -> provisioner.create(create))
                .isInstanceOf(DataAccessResourceFailureException.class).hasMessage("connection refused #2");
        SessionRow meanwhile = sessions.find(create.sessionId()).orElseThrow();
        assertThat(meanwhile.status().name()).as("not FAILED: the outage was nobody's fault").isEqualTo("STARTING");
        assertThat(meanwhile.error()).isNull();

        assertThat(provisioner.create(create)).as("the command handled again once the database answers")
                .isEqualTo(Outcome.APPLIED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().status().name()).isEqualTo("ACTIVE");
        assertThat(driver.created).as("the machine of the first attempt is used").hasSize(1);
        assertThat(driver.live()).hasSize(1);
    }

    @Test
    void terminateDestroysTheMachineAndRecordsTheReason() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);

        Outcome outcome = provisioner.terminate(terminate(create));

        assertThat(outcome).isEqualTo(Outcome.APPLIED);
        SessionRow row = sessions.find(create.sessionId()).orElseThrow();
        assertThat(row.status().name()).isEqualTo("TERMINATED");
        assertThat(row.statusReason()).isEqualTo(TerminationReason.USER);
        assertThat(row.version()).as("STOPPING, TERMINATED").isEqualTo(5);
        assertThat(row.terminatedAt()).isNotNull();
        assertThat(driver.live()).isEmpty();
    }

    @Test
    void terminateOfAnEndedOrUnknownSessionChangesNothing() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        provisioner.terminate(terminate(create));
        SessionCommand.Create unknown = create(Tier.FREE);

        assertThat(provisioner.terminate(terminate(create))).isEqualTo(Outcome.SKIPPED);
        assertThat(provisioner.terminate(terminate(unknown))).isEqualTo(Outcome.SKIPPED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().version()).isEqualTo(5);
        assertThat(sessions.find(unknown.sessionId())).isEmpty();
    }

    @Test
    void afterARestartAStoppedMachineOfAnActiveSessionIsStartedAndItsNewAddressWritten() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        SessionRow active = sessions.find(create.sessionId()).orElseThrow();
        driver.stop(active.machineId());

        new StartupRecovery(sessions, driver, Duration.ofSeconds(5), Clock.systemUTC()).start();

        SessionRow recovered = sessions.find(create.sessionId()).orElseThrow();
        assertThat(driver.started).containsExactly(active.machineId());
        assertThat(recovered.status().name()).isEqualTo("ACTIVE");
        assertThat(recovered.machineUrl()).isNotNull();
        assertThat(recovered.version()).isEqualTo(active.version() + 1);
    }

    @Test
    void extendMovesTheExpiryOfALiveSessionOnceAndIsRefusedForAnEndedOne() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        Instant later = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);
        SessionCommand.Extend extend = SessionCommand.extend(create.sessionId(), create.userId(), later, Instant.now());

        assertThat(provisioner.extend(extend)).isEqualTo(Outcome.APPLIED);
        assertThat(provisioner.extend(extend)).as("delivered again").isEqualTo(Outcome.SKIPPED);

        assertThat(expiresAt(create.sessionId())).isEqualTo(later);
        assertThat(sessions.find(create.sessionId()).orElseThrow().version()).as("ACTIVE (3), extended").isEqualTo(4);
        provisioner.terminate(terminate(create));
        SessionCommand.Extend tooLate = SessionCommand.extend(create.sessionId(), create.userId(),
                later.plus(Duration.ofHours(1)), Instant.now());
        assertThat(provisioner.extend(tooLate)).isEqualTo(Outcome.REFUSED);
        assertThat(expiresAt(create.sessionId())).isEqualTo(later);
    }

    @Test
    void suspendSuspendsTheMachineOfAnActiveSessionAndResumeWakesItOnceEach() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        SessionRow active = sessions.find(create.sessionId()).orElseThrow();
        SessionCommand.Suspend suspend = SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now());
        SessionCommand.Resume resume = SessionCommand.resume(create.sessionId(), create.userId(), Instant.now());

        assertThat(provisioner.suspend(suspend)).isEqualTo(Outcome.APPLIED);
        assertThat(provisioner.suspend(suspend)).as("delivered again").isEqualTo(Outcome.SKIPPED);
        SessionRow suspended = sessions.find(create.sessionId()).orElseThrow();
        assertThat(suspended.status().name()).isEqualTo("SUSPENDED");
        assertThat(driver.suspended).containsExactly(active.machineId());

        assertThat(provisioner.resume(resume)).isEqualTo(Outcome.APPLIED);
        assertThat(provisioner.resume(resume)).as("delivered again").isEqualTo(Outcome.SKIPPED);
        SessionRow resumed = sessions.find(create.sessionId()).orElseThrow();
        assertThat(resumed.status().name()).isEqualTo("ACTIVE");
        assertThat(resumed.machineId()).isEqualTo(active.machineId());
        assertThat(resumed.machineUrl()).isNotNull();
        assertThat(resumed.readyAt()).as("when it first became ready").isEqualTo(active.readyAt());
        assertThat(resumed.version()).as("SUSPENDED, ACTIVE").isEqualTo(active.version() + 2);
        assertThat(driver.started).containsExactly(active.machineId());
        assertThat(driver.created).hasSize(1);
        assertThat(meters.timer("velocity.provisioner.wake.duration", "outcome", "applied").count()).isEqualTo(1);
    }

    @Test
    void suspendAndResumeOfASessionInAnyOtherStatusAreRefusedAndChangeNothing() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        SessionCommand.Resume resumeActive = SessionCommand.resume(create.sessionId(), create.userId(), Instant.now());
        assertThat(provisioner.resume(resumeActive)).as("already active").isEqualTo(Outcome.SKIPPED);
        provisioner.terminate(terminate(create));

        assertThat(provisioner.suspend(SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now())))
                .isEqualTo(Outcome.REFUSED);
        assertThat(provisioner.resume(SessionCommand.resume(create.sessionId(), create.userId(), Instant.now())))
                .isEqualTo(Outcome.REFUSED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().version()).isEqualTo(5);
        assertThat(driver.suspended).isEmpty();
        assertThat(meters.find("velocity.provisioner.wake.duration").timers()).isEmpty();
    }

    @Test
    void aSuspendedSessionWhoseMachineCannotWakeFailsWithTheReason() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        provisioner.suspend(SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now()));
        driver.lose(sessions.find(create.sessionId()).orElseThrow().machineId());

        Outcome outcome = provisioner.resume(SessionCommand.resume(create.sessionId(), create.userId(), Instant.now()));

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        SessionRow row = sessions.find(create.sessionId()).orElseThrow();
        assertThat(row.status().name()).isEqualTo("FAILED");
        assertThat(row.error()).contains("does not exist");
    }

    @Test
    void terminateOfASuspendedSessionDestroysItsMachine() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        provisioner.suspend(SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now()));

        Outcome outcome = provisioner.terminate(terminate(create));

        assertThat(outcome).isEqualTo(Outcome.APPLIED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().status().name()).isEqualTo("TERMINATED");
        assertThat(driver.live()).isEmpty();
    }

    @Test
    void reapDestroysMachinesOfEndedUnknownOrOtherwiseServedSessionsButNeverTheMachineOfALiveRow() {
        SessionCommand.Create live = create(Tier.FREE);
        provisioner.create(live);
        String liveMachine = sessions.find(live.sessionId()).orElseThrow().machineId();
        SessionCommand.Create ended = create(Tier.FREE);
        provisioner.create(ended);
        provisioner.terminate(terminate(ended));
        Machine ofEnded = driver.existing(ended.sessionId(), MachineState.STARTED);
        Machine ofUnknown = driver.existing(UUID.randomUUID(), MachineState.STOPPED);
        Machine stray = driver.existing(live.sessionId(), MachineState.STARTED);
        SessionCommand.Create starting = create(Tier.FREE);
        sessions.insertProvisioning(starting, Instant.now().plus(starting.ttl()));
        Machine ofStarting = driver.existing(starting.sessionId(), MachineState.STARTING);

        assertThat(provisioner.reapMachine(reap(live.sessionId(), live.userId(), liveMachine))).isEqualTo(Outcome.REFUSED);
        assertThat(provisioner.reapMachine(reap(starting.sessionId(), starting.userId(), ofStarting.id())))
                .as("a live row without a machine yet: its create may be in flight").isEqualTo(Outcome.REFUSED);
        assertThat(provisioner.reapMachine(reap(ended.sessionId(), ended.userId(), ofEnded.id()))).isEqualTo(Outcome.APPLIED);
        assertThat(provisioner.reapMachine(reap(ofUnknown.sessionId(), null, ofUnknown.id()))).isEqualTo(Outcome.APPLIED);
        assertThat(provisioner.reapMachine(reap(live.sessionId(), live.userId(), stray.id()))).isEqualTo(Outcome.APPLIED);
        assertThat(provisioner.reapMachine(reap(ofUnknown.sessionId(), null, ofUnknown.id())))
                .as("delivered again: nothing left to destroy, nothing else touched").isEqualTo(Outcome.APPLIED);

        assertThat(driver.live()).extracting(Machine::id).containsExactlyInAnyOrder(liveMachine, ofStarting.id());
        assertThat(sessions.find(live.sessionId()).orElseThrow().status().name()).isEqualTo("ACTIVE");
    }

    @Test
    void machineLostFailsTheSessionOnlyWhenItsMachineIsReallyGone() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        SessionRow active = sessions.find(create.sessionId()).orElseThrow();
        SessionCommand.MachineLost lost = SessionCommand.machineLost(create.sessionId(), create.userId(),
                active.machineId(), Instant.now());

        assertThat(provisioner.machineLost(lost)).as("the machine is there").isEqualTo(Outcome.REFUSED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().version()).isEqualTo(active.version());

        driver.lose(active.machineId());
        assertThat(provisioner.machineLost(lost)).isEqualTo(Outcome.FAILED);
        assertThat(provisioner.machineLost(lost)).as("delivered again").isEqualTo(Outcome.SKIPPED);

        SessionRow failed = sessions.find(create.sessionId()).orElseThrow();
        assertThat(failed.status().name()).isEqualTo("FAILED");
        assertThat(failed.error()).isEqualTo("machine lost");
        assertThat(failed.terminatedAt()).isNotNull();
    }

    @Test
    void aSuspendedSessionWhoseMachineIsGoneIsLostToo() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        provisioner.suspend(SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now()));
        String machineId = sessions.find(create.sessionId()).orElseThrow().machineId();
        driver.lose(machineId);

        Outcome outcome = provisioner.machineLost(SessionCommand.machineLost(create.sessionId(), create.userId(),
                machineId, Instant.now()));

        assertThat(outcome).isEqualTo(Outcome.FAILED);
        assertThat(sessions.find(create.sessionId()).orElseThrow().error()).isEqualTo("machine lost");
    }

    @Test
    void purgeDeletesTheRowOfAnEndedSessionAndRefusesALiveOne() {
        SessionCommand.Create ended = create(Tier.FREE);
        provisioner.create(ended);
        provisioner.terminate(terminate(ended));
        SessionCommand.Create live = create(Tier.FREE);
        provisioner.create(live);
        SessionCommand.Purge purge = SessionCommand.purge(ended.sessionId(), ended.userId(), Instant.now());

        assertThat(provisioner.purge(purge)).isEqualTo(Outcome.APPLIED);
        assertThat(provisioner.purge(purge)).as("delivered again").isEqualTo(Outcome.SKIPPED);
        assertThat(provisioner.purge(SessionCommand.purge(live.sessionId(), live.userId(), Instant.now())))
                .isEqualTo(Outcome.REFUSED);

        assertThat(sessions.find(ended.sessionId())).isEmpty();
        assertThat(sessions.find(live.sessionId()).orElseThrow().status().name()).isEqualTo("ACTIVE");
    }

    @Test
    void startupRecoveryLeavesASuspendedSessionAndItsMachineAsTheyAre() {
        SessionCommand.Create create = create(Tier.FREE);
        provisioner.create(create);
        provisioner.suspend(SessionCommand.suspend(create.sessionId(), create.userId(), Instant.now()));
        SessionRow suspended = sessions.find(create.sessionId()).orElseThrow();

        new StartupRecovery(sessions, driver, Duration.ofSeconds(5), Clock.systemUTC()).start();

        assertThat(driver.started).isEmpty();
        assertThat(sessions.find(create.sessionId()).orElseThrow()).isEqualTo(suspended);
    }

    private static SessionCommand.ReapMachine reap(UUID sessionId, String userId, String machineId) {
        return SessionCommand.reapMachine(sessionId, userId, machineId, Instant.now());
    }

    private static Instant expiresAt(UUID sessionId) {
        return jdbc.queryForObject("SELECT expires_at FROM preview_sessions WHERE id = :id", Map.of("id", sessionId),
                OffsetDateTime.class).toInstant();
    }

    private static SessionProvisioner provisioner(MachineDriver driver, ProvisionerSettings settings, Clock clock,
                                                  SimpleMeterRegistry meters) {
        return new SessionProvisioner(new SessionRows(jdbc), new Projects(jdbc, TemplateCatalog.builtIn()),
                new TransactionTemplate(new JdbcTransactionManager(dataSource)), driver,
                new MachineEnvironment(settings.machines().sync(), settings.machines().previewDomain()),
                PoolFixtures.noPools(jdbc, meters), settings, clock, meters);
    }

    private static ProvisionerSettings settings(ProvisionerSettings.Sync sync) {
        return settings(sync, null);
    }

    private static ProvisionerSettings settings(ProvisionerSettings.Sync sync, String previewDomain) {
        return new ProvisionerSettings(
                new ProvisionerSettings.Kafka("localhost:9092", "provisioner", Duration.ofMillis(100), null, null),
                new ProvisionerSettings.Concurrency(4, 16, Duration.ofSeconds(5)),
                new ProvisionerSettings.Retry(3, Duration.ofMillis(1), Duration.ofMillis(5)),
                Duration.ofSeconds(5),
                new ProvisionerSettings.Machines(ProvisionerSettings.Driver.LOCAL,
                        new ProvisionerSettings.Local(null, null, true), null, sync, previewDomain),
                new ProvisionerSettings.Files(Duration.ofDays(8), Duration.ofHours(1)),
                new ProvisionerSettings.Pool(null, "shared-cpu-1x:256MB", Duration.ofSeconds(5), Duration.ofSeconds(1),
                        Duration.ofSeconds(30)));
    }

    private static SessionCommand.Create create(Tier tier) {
        return create(tier, UUID.randomUUID(), "react");
    }

    private static SessionCommand.Create create(Tier tier, UUID project, String template) {
        return SessionCommand.create(UUID.randomUUID(), "user-1", project, template, tier, Visibility.PUBLIC,
                Duration.ofMinutes(45), new MachineSize("shared", 1, 256), Duration.ofMinutes(10), Instant.now());
    }

    /** A project as the system we replace left it: a row, and files or not. */
    private static void insertProject(UUID project, String templateType) {
        jdbc.update("INSERT INTO projects (id, name, template_type, owner_id) VALUES (:id, 'old', :template, 'user-1')",
                Map.of("id", project, "template", templateType));
    }

    private static String templateOf(UUID project) {
        return jdbc.queryForObject("SELECT template_type FROM projects WHERE id = :id", Map.of("id", project), String.class);
    }

    private static List<String> pathsOf(UUID project) {
        return jdbc.queryForList("SELECT file_path FROM project_files WHERE project_id = :id", Map.of("id", project),
                String.class);
    }

    private static List<String> pathsOf(Template template) {
        return template.files().stream().map(TemplateFile::path).toList();
    }

    private static Template templateNamed(String name) {
        return TemplateCatalog.builtIn().named(name).orElseThrow();
    }

    private static SessionCommand.Terminate terminate(SessionCommand create) {
        return SessionCommand.terminate(create.sessionId(), create.userId(), TerminationReason.USER, Instant.now());
    }
}
