package dev.velocitypreview.bench.throughput;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Supplier;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.WebApplicationType;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import dev.velocitypreview.bench.report.Samples;
import dev.velocitypreview.bench.rig.Infrastructure;
import dev.velocitypreview.bench.rig.Pause;
import dev.velocitypreview.bench.rig.PoolPlaces;
import dev.velocitypreview.bench.rig.SessionApi;
import dev.velocitypreview.bench.rig.WatchedDirectory;
import dev.velocitypreview.core.net.LoopbackPorts;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.embedded.EmbeddedKafkaBroker;
import dev.velocitypreview.machines.fly.FlyMachinesDriver;
import dev.velocitypreview.machines.fly.FlyMachinesSettings;
import dev.velocitypreview.provisioner.ProvisionerApplication;
import dev.velocitypreview.sessions.SessionServiceApplication;
import dev.velocitypreview.sessions.identity.DevTokens;
import dev.velocitypreview.templates.TemplateCatalog;

/**
 * Scenario 6: how many sessions per second one provisioner brings to ACTIVE through the Fly Machines driver (its
 * own rate limiter in the path) against {@link SimulatedFly}, first within Fly's documented limits, then with the
 * limits lifted to show the provisioner's own ceiling, then within Fly's limits again with a warm pool of suspended
 * machines (a claim starts one instead of creating one); and how many sessions per second the session API accepts.
 *
 * <p>Its own broker and database; the provisioner runs with its settings (16 workers, the relay) and the bench's
 * Fly driver as its machine driver; the session API as it runs anywhere. The pool's phase has a provisioner of its
 * own, started with a pool of the default template (the one new projects get) as big as the phase's sessions and
 * filled with the limits lifted (how long filling takes is not the figure), then claimed within Fly's limits while it
 * refills in the background as it always does. Its sessions are free-tier users', whose machine is the pool's size.
 */
public final class ThroughputScenario {

    private static final String APP = "bench-previews";
    private static final Duration ACTIVE_WITHIN = Duration.ofMinutes(5);

    /**
     * @param flyLimitedSessions sessions requested at once while the driver and the simulated API keep Fly's limits
     * @param liftedSessions     sessions requested at once with both limits lifted to {@code lifted}
     * @param lifted             the lifted limits
     * @param apiConcurrencies   clients posting side by side, one level each
     * @param apiRequests        posts per level
     * @param pooledSessions     sessions requested at once within Fly's limits with a warm pool that holds as many
     * @param apiLatency         the simulated API's answer time
     * @param startLatency       how long a simulated machine takes from created to started
     * @param resumeLatency      how long a suspended simulated machine takes from its start to started
     */
    public record Settings(int flyLimitedSessions, int liftedSessions, FlyMachinesSettings.RateLimits lifted,
                           int pooledSessions, List<Integer> apiConcurrencies, int apiRequests, Duration apiLatency,
                           Duration startLatency, Duration resumeLatency) {
    }

    /** New projects get the default template: that is the pool that fits them. */
    private static final String POOL_TEMPLATE = TemplateCatalog.DEFAULT;
    private static final Duration POOL_FILLED_WITHIN = Duration.ofMinutes(5);

    private final Infrastructure infrastructure;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5)).build();

    public ThroughputScenario(Infrastructure infrastructure) {
        this.infrastructure = infrastructure;
    }

    public ThroughputResult run(Settings settings) throws Exception {
        System.out.println("bench: throughput (simulated Fly API, session API)");
        // one logging configuration for the JVM, as in the launcher: several Spring applications must not reset it
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        String jdbcUrl = infrastructure.createDatabase("fly_sim");
        String apiSecret = secret();
        try (EmbeddedKafkaBroker broker = infrastructure.startBroker("fly");
             SimulatedFly fly = SimulatedFly.start(APP, settings.apiLatency(), settings.startLatency(),
                     settings.resumeLatency(), SimulatedFly.Limits.FLY)) {
            FlyMachinesDriver limitedDriver = driver(fly, FlyMachinesSettings.RateLimits.FLY);
            FlyMachinesDriver liftedDriver = driver(fly, settings.lifted());
            FlyMachinesDriver poolDriver = driver(fly, FlyMachinesSettings.RateLimits.FLY);
            ReplaceableDriver driver = new ReplaceableDriver(limitedDriver);
            ConfigurableApplicationContext provisioner = startProvisioner(jdbcUrl, broker, driver, Map.of());
            int apiPort = LoopbackPorts.free();
            String apiUrl = "http://127.0.0.1:" + apiPort;
            try (ConfigurableApplicationContext api = SessionServiceApplication.start(Map.of(
                         "server.port", apiPort,
                         "spring.main.banner-mode", "off",
                         "spring.main.log-startup-info", false,
                         "spring.main.register-shutdown-hook", false,
                         "velocity.session-service.kafka.bootstrap-servers", broker.bootstrapServers(),
                         "velocity.session-service.preview-base-url", "http://127.0.0.1:1",
                         "velocity.session-service.public-base-url", apiUrl,
                         "velocity.session-service.auth.hs256-secret", apiSecret,
                         "velocity.session-service.preview-token-secret", secret()));
                 WatchedDirectory directory = WatchedDirectory.start(broker.bootstrapServers(),
                         infrastructure.directory("fly-directory"), "bench-fly-directory", Duration.ofMinutes(1))) {
                awaitReady(apiUrl);
                SessionApi sessions = new SessionApi(http, apiUrl);
                Tokens tokens = new Tokens(apiSecret);

                ThroughputResult.Provisioning limited = provision("Fly's limits", settings.flyLimitedSessions(), 0,
                        FlyMachinesSettings.RateLimits.FLY, sessions, () -> tokens.next(Tier.TEAM), directory, fly);
                driver.replace(liftedDriver);
                fly.limit(lifted(settings));
                ThroughputResult.Provisioning unlimited = provision("limits lifted", settings.liftedSessions(), 0,
                        settings.lifted(), sessions, () -> tokens.next(Tier.TEAM), directory, fly);
                provisioner.close();

                provisioner = startProvisioner(jdbcUrl, broker, driver, Map.of(
                        "velocity.provisioner.pool.templates." + POOL_TEMPLATE, settings.pooledSessions()));
                System.out.printf("bench: filling a warm pool of %d suspended machines, limits lifted%n",
                        settings.pooledSessions());
                new PoolPlaces(jdbcUrl, infrastructure.databaseUser())
                        .awaitReady(settings.pooledSessions(), POOL_FILLED_WITHIN);
                driver.replace(poolDriver);
                fly.limit(SimulatedFly.Limits.FLY);
                ThroughputResult.Provisioning pooled = provision(
                        "Fly's limits, a warm pool of " + settings.pooledSessions() + " suspended machines",
                        settings.pooledSessions(), settings.pooledSessions(), FlyMachinesSettings.RateLimits.FLY,
                        sessions, () -> tokens.next(Tier.FREE), directory, fly);

                // the API alone: with no provisioner consuming, acceptance is not competing with provisioning
                provisioner.close();
                accept(sessions, tokens, 16, Math.max(16, settings.apiRequests() / 4));
                List<ThroughputResult.Acceptance> acceptance = new ArrayList<>();
                for (int concurrency : settings.apiConcurrencies()) {
                    acceptance.add(accept(sessions, tokens, concurrency, Math.max(concurrency, settings.apiRequests())));
                }
                return new ThroughputResult(List.of(limited, unlimited, pooled), acceptance, settings.apiLatency(),
                        settings.startLatency(), settings.resumeLatency());
            } finally {
                provisioner.close();
                limitedDriver.close();
                liftedDriver.close();
                poolDriver.close();
            }
        }
    }

    private static SimulatedFly.Limits lifted(Settings settings) {
        return new SimulatedFly.Limits(settings.lifted().actionsPerSecond(), settings.lifted().actionBurst(),
                settings.lifted().getsPerSecond(), settings.lifted().getBurst());
    }

    /**
     * {@code count} sessions requested at once, each by a new user from {@code users}; each timed from its POST to
     * ACTIVE in the bench's directory.
     *
     * @param pool the warm pool's machines when the phase started (0: no pool)
     */
    private ThroughputResult.Provisioning provision(String limits, int count, int pool,
                                                    FlyMachinesSettings.RateLimits driverLimits, SessionApi sessions,
                                                    Supplier<String> users, WatchedDirectory directory,
                                                    SimulatedFly fly) throws Exception {
        System.out.printf("bench: provisioning %d sessions against the simulated Fly API, %s%n", count, limits);
        Map<SimulatedFly.Action, Long> before = fly.requests();
        long throttledBefore = fly.throttled();
        long claimsBefore = fly.claims();
        ExecutorService posters = Executors.newFixedThreadPool(Math.min(count, 16));
        try {
            long started = System.nanoTime();
            List<Future<CompletableFuture<Active>>> posted = new ArrayList<>();
            for (int i = 0; i < count; i++) {
                String token = users.get();
                posted.add(posters.submit(() -> {
                    long postedAt = System.nanoTime();
                    SessionApi.Accepted session = sessions.create(token, UUID.randomUUID());
                    return directory.sessions().await(session.sessionId(),
                                    view -> view.status() == SessionStatus.ACTIVE || view.status().isTerminal(),
                                    ACTIVE_WITHIN)
                            .thenApply(view -> new Active(view.status(), postedAt, System.nanoTime()));
                }));
            }
            List<Double> toActive = new ArrayList<>();
            long failed = 0;
            long last = started;
            for (Future<CompletableFuture<Active>> future : posted) {
                Active active = future.get().join();
                if (active.status() != SessionStatus.ACTIVE) {
                    failed++;
                    continue;
                }
                toActive.add((active.activeAt() - active.postedAt()) / 1e6);
                last = Math.max(last, active.activeAt());
            }
            Map<SimulatedFly.Action, Long> calls = new HashMap<>();
            fly.requests().forEach((action, total) -> calls.put(action, total - before.get(action)));
            return new ThroughputResult.Provisioning(limits, driverLimits, pool, count, failed, (last - started) / 1e9,
                    Samples.of(toActive), calls, fly.throttled() - throttledBefore, fly.claims() - claimsBefore);
        } finally {
            posters.shutdownNow();
        }
    }

    private record Active(SessionStatus status, long postedAt, long activeAt) {
    }

    /** {@code total} posts by {@code concurrency} clients, each post by a user of its own (quotas are per user). */
    private ThroughputResult.Acceptance accept(SessionApi sessions, Tokens tokens, int concurrency, int total)
            throws Exception {
        List<String> users = new ArrayList<>(total);
        for (int i = 0; i < total; i++) {
            users.add(tokens.next(Tier.TEAM));
        }
        ExecutorService clients = Executors.newFixedThreadPool(concurrency);
        try {
            List<Future<List<Double>>> running = new ArrayList<>();
            long started = System.nanoTime();
            for (int client = 0; client < concurrency; client++) {
                int first = client;
                running.add(clients.submit(() -> {
                    List<Double> latencies = new ArrayList<>();
                    for (int i = first; i < total; i += concurrency) {
                        long posted = System.nanoTime();
                        sessions.create(users.get(i), UUID.randomUUID());
                        latencies.add((System.nanoTime() - posted) / 1e6);
                    }
                    return latencies;
                }));
            }
            List<Double> latencies = new ArrayList<>();
            for (Future<List<Double>> client : running) {
                latencies.addAll(client.get());
            }
            double seconds = (System.nanoTime() - started) / 1e9;
            return new ThroughputResult.Acceptance(concurrency, total, seconds, Samples.of(latencies));
        } finally {
            clients.shutdownNow();
        }
    }

    private static FlyMachinesDriver driver(SimulatedFly fly, FlyMachinesSettings.RateLimits limits) {
        return new FlyMachinesDriver(FlyMachinesSettings.of("bench-token", APP, "registry.fly.io/velocity-previews:bench",
                        List.of("ams"))
                .withBaseUrl(URI.create(fly.baseUrl()))
                // every machine's runtime answers at the simulated API's /health
                .withRuntime(FlyMachinesSettings.Runtime.DEFAULT.withHealthUrlTemplate(fly.baseUrl() + "/machines/{machine}"))
                .withRateLimits(limits));
    }

    /**
     * The provisioner as {@link ProvisionerApplication#start} runs it, with the bench's driver registered before
     * the context refreshes, so the provisioner's own local driver steps aside (it is created only when no driver
     * exists).
     */
    private ConfigurableApplicationContext startProvisioner(String jdbcUrl, EmbeddedKafkaBroker broker,
                                                            ReplaceableDriver driver, Map<String, Object> settings) {
        Map<String, Object> properties = new HashMap<>(settings);
        properties.put("spring.config.name", "provisioner");
        properties.put("spring.main.banner-mode", "off");
        properties.put("spring.main.log-startup-info", false);
        properties.put("spring.main.register-shutdown-hook", false);
        // the session API brings Spring Security onto the class path; the provisioner has no users
        properties.put("spring.autoconfigure.exclude", String.join(",",
                "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration"));
        properties.put("spring.datasource.url", jdbcUrl);
        properties.put("spring.datasource.username", infrastructure.databaseUser());
        properties.put("spring.datasource.password", "");
        properties.put("velocity.provisioner.kafka.bootstrap-servers", broker.bootstrapServers());
        properties.put("velocity.provisioner.cdc.slot-name", "bench_fly");
        properties.put("velocity.provisioner.cdc.publication-name", "bench_fly_pub");
        StandardEnvironment environment = new StandardEnvironment();
        environment.getPropertySources().addFirst(new MapPropertySource("bench-provisioner", properties));
        SpringApplication application = new SpringApplication(ProvisionerApplication.class);
        application.setEnvironment(environment);
        application.setWebApplicationType(WebApplicationType.NONE);
        application.addInitializers(context -> context.getBeanFactory().registerSingleton("benchMachineDriver", driver));
        return application.run();
    }

    private void awaitReady(String apiUrl) throws InterruptedException {
        URI readiness = URI.create(apiUrl + "/actuator/health/readiness");
        long deadline = System.nanoTime() + Duration.ofMinutes(2).toNanos();
        while (true) {
            try {
                if (http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build(),
                        HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            if (System.nanoTime() > deadline) {
                throw new IllegalStateException("the session API did not become ready within two minutes");
            }
            Pause.of(Duration.ofMillis(100));
        }
    }

    private static String secret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return Base64.getEncoder().encodeToString(bytes);
    }

    /** A fresh user (and its token) for every session: quotas are per user, and this measures the platform. */
    private static final class Tokens {
        private final String secret;
        private int issued;

        Tokens(String secret) {
            this.secret = secret;
        }

        synchronized String next(Tier tier) {
            return DevTokens.mint(secret, "bench-throughput-" + issued++, Set.of(), tier, Duration.ofHours(1));
        }
    }
}
