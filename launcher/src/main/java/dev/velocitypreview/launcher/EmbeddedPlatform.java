package dev.velocitypreview.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.function.Consumer;

import org.jspecify.annotations.Nullable;
import org.springframework.boot.logging.LoggingSystem;
import org.springframework.context.ConfigurableApplicationContext;

import dev.velocitypreview.cleanup.CleanupApplication;
import dev.velocitypreview.core.net.LoopbackPorts;
import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.provisioner.ProvisionerApplication;
import dev.velocitypreview.router.RouterApplication;
import dev.velocitypreview.sessions.SessionServiceApplication;
import dev.velocitypreview.sessions.identity.DevTokens;

/**
 * Every service of the platform in this JVM, wired to one Kafka and one PostgreSQL: the
 * provisioner (with the CDC relay and the local machine driver), the router, the session
 * API and cleanup (listing the provisioner's local machines). Used by the launcher and by the
 * end-to-end tests, so both run the very same wiring.
 */
public final class EmbeddedPlatform implements AutoCloseable {

    private static final String PROMETHEUS = "/actuator/prometheus";

    private final Deque<ConfigurableApplicationContext> running = new ArrayDeque<>();
    private final String apiUrl;
    private final String routerUrl;
    private final int routerPort;
    private final PlatformSecrets secrets;

    /**
     * @param kafkaBootstrap where the broker answers
     * @param database       the platform's database
     * @param stateDir       where the services keep local state (machines, stream stores)
     * @param apiPort        session API port, 0 for any
     * @param routerPort     router port, 0 for any
     * @param secrets        the API token, preview token and sync keys
     * @param settings       further settings for every service (each reads only its own prefix)
     * @param progress       told about each service as it starts
     */
    public static EmbeddedPlatform start(String kafkaBootstrap, Database database, Path stateDir, int apiPort,
                                         int routerPort, PlatformSecrets secrets, Map<String, Object> settings,
                                         Consumer<String> progress) {
        return new EmbeddedPlatform(kafkaBootstrap, database, stateDir, apiPort, routerPort, secrets, settings,
                progress, null);
    }

    /**
     * As {@link #start(String, Database, Path, int, int, PlatformSecrets, Map, Consumer)}, with cleanup deciding
     * expiry and idleness by {@code cleanupClock}, so that a test moves that clock instead of waiting a ttl out.
     */
    public static EmbeddedPlatform start(String kafkaBootstrap, Database database, Path stateDir, int apiPort,
                                         int routerPort, PlatformSecrets secrets, Map<String, Object> settings,
                                         Consumer<String> progress, Clock cleanupClock) {
        return new EmbeddedPlatform(kafkaBootstrap, database, stateDir, apiPort, routerPort, secrets, settings,
                progress, Objects.requireNonNull(cleanupClock, "cleanupClock == null"));
    }

    private EmbeddedPlatform(String kafkaBootstrap, Database database, Path stateDir, int apiPort, int routerPort,
                             PlatformSecrets secrets, Map<String, Object> settings, Consumer<String> progress,
                             @Nullable Clock cleanupClock) {
        this.secrets = secrets;
        // Both addresses go into the API's answers (previewUrl, statusUrl), so they are chosen before
        // anything starts; then the provisioner, the router and cleanup start side by side, which on two cores
        // saves about a third of the start-up time (the API follows once the ports its console scrapes are known).
        int chosenRouterPort = routerPort != 0 ? routerPort : LoopbackPorts.free();
        int chosenApiPort = apiPort != 0 ? apiPort : LoopbackPorts.free();
        this.routerUrl = "http://localhost:" + chosenRouterPort;
        this.routerPort = chosenRouterPort;
        this.apiUrl = "http://localhost:" + chosenApiPort;
        // One logging configuration for the whole JVM (logback.xml); several Spring applications
        // re-initialising it at the same time would race.
        System.setProperty(LoggingSystem.SYSTEM_PROPERTY, LoggingSystem.NONE);
        Map<String, Object> common = Map.of(
                "spring.main.register-shutdown-hook", false,
                "spring.main.banner-mode", "off",
                "spring.main.log-startup-info", false);
        // The session API brings Spring Security onto the shared class path; the router and the
        // provisioner have no users and must not grow a login page.
        Map<String, Object> withoutSecurity = with(common, Map.of(), Map.of("spring.autoconfigure.exclude", String.join(",",
                "org.springframework.boot.security.autoconfigure.SecurityAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.UserDetailsServiceAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.ReactiveUserDetailsServiceAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.web.reactive.ReactiveWebSecurityAutoConfiguration",
                "org.springframework.boot.security.autoconfigure.actuate.web.reactive.ReactiveManagementWebSecurityAutoConfiguration",
                "org.springframework.boot.security.oauth2.server.resource.autoconfigure.reactive.ReactiveOAuth2ResourceServerAutoConfiguration")));
        ExecutorService starters = Executors.newFixedThreadPool(4, runnable -> new Thread(runnable, "platform-start"));
        progress.accept("starting provisioner (with the changelog relay), router, session api and cleanup");
        String machinesRoot = stateDir.resolve("machines").toString();
        CompletableFuture<ConfigurableApplicationContext> provisioner = CompletableFuture.supplyAsync(
                // its management port: any free one, picked by the kernel as it binds (nothing needs to know it
                // ahead, and a port chosen ahead can be taken by another process before the bind); the default
                // (8083) may be taken
                () -> ProvisionerApplication.start(with(withoutSecurity, settings, Map.of(
                        "server.port", 0,
                        "spring.datasource.url", database.jdbcUrl(),
                        "spring.datasource.username", database.username(),
                        "spring.datasource.password", database.password(),
                        "velocity.provisioner.kafka.bootstrap-servers", kafkaBootstrap,
                        "velocity.provisioner.machines.local.root-dir", machinesRoot,
                        "velocity.provisioner.machines.local.stop-machines-on-close", true,
                        // live edits: local machines reach the API on loopback, as the user does
                        "velocity.provisioner.machines.sync.url", apiUrl,
                        "velocity.provisioner.machines.sync.secret", secrets.syncSecret().value()))), starters);
        CompletableFuture<ConfigurableApplicationContext> router = CompletableFuture.supplyAsync(
                () -> RouterApplication.start(with(withoutSecurity, settings, Map.of(
                        "server.port", chosenRouterPort,
                        "velocity.router.kafka.bootstrap-servers", kafkaBootstrap,
                        "velocity.router.preview-token-secret", secrets.previewTokenSecret().value()))), starters);
        // cleanup's management port too: any free one as it binds (its default, 8082, may be taken)
        CompletableFuture<ConfigurableApplicationContext> cleanup = CompletableFuture.supplyAsync(
                () -> CleanupApplication.start(with(withoutSecurity, settings, Map.of(
                        "server.port", 0,
                        "velocity.cleanup.kafka.bootstrap-servers", kafkaBootstrap,
                        "velocity.cleanup.kafka.state-dir", stateDir.resolve("cleanup").toString(),
                        "velocity.cleanup.machines.inventory", "local",
                        "velocity.cleanup.machines.local.root-dir", machinesRoot)), cleanupClock, null), starters);
        // The console scrapes the other services' Prometheus endpoints (the changelog relay's figures are the
        // provisioner's). The provisioner's and cleanup's management ports are known only once they have bound, so
        // the API starts when both have; the router's is chosen ahead.
        CompletableFuture<ConfigurableApplicationContext> api = provisioner.thenCombineAsync(cleanup,
                (startedProvisioner, startedCleanup) -> SessionServiceApplication.start(with(common, settings, Map.ofEntries(
                        Map.entry("server.port", chosenApiPort),
                        Map.entry("velocity.session-service.kafka.bootstrap-servers", kafkaBootstrap),
                        Map.entry("velocity.session-service.preview-base-url", routerUrl),
                        Map.entry("velocity.session-service.public-base-url", apiUrl),
                        Map.entry("velocity.session-service.auth.hs256-secret", secrets.apiTokenSecret().value()),
                        Map.entry("velocity.session-service.preview-token-secret", secrets.previewTokenSecret().value()),
                        Map.entry("velocity.session-service.sync.secret", secrets.syncSecret().value()),
                        // the files API reads project_files where the provisioner writes them (one database here;
                        // a deployment gives it a read-only role)
                        Map.entry("velocity.session-service.files.datasource.url", database.jdbcUrl()),
                        Map.entry("velocity.session-service.files.datasource.username", database.username()),
                        Map.entry("velocity.session-service.files.datasource.password", database.password()),
                        Map.entry("velocity.session-service.console.metrics-sources", String.join(",",
                                routerUrl + PROMETHEUS, managementUrl(startedProvisioner) + PROMETHEUS,
                                managementUrl(startedCleanup) + PROMETHEUS))))), starters);
        try {
            // closed in reverse: the API and cleanup first, the provisioner (which stops the machines) last
            running.push(join(provisioner, "provisioner"));
            progress.accept("provisioner started");
            running.push(join(router, "router"));
            progress.accept("router started on " + routerUrl);
            running.push(join(cleanup, "cleanup"));
            progress.accept("cleanup started");
            running.push(join(api, "session api"));
            progress.accept("session api started on " + apiUrl);
        } catch (RuntimeException e) {
            // the other services may still be starting: let them finish, then close everything
            for (CompletableFuture<ConfigurableApplicationContext> start : List.of(provisioner, router, api, cleanup)) {
                ConfigurableApplicationContext context = start.handle((started, error) -> started).join();
                if (context != null && !running.contains(context)) {
                    running.push(context);
                }
            }
            close();
            throw e;
        } finally {
            starters.shutdown();
        }
    }

    private ConfigurableApplicationContext join(CompletableFuture<ConfigurableApplicationContext> start, String service) {
        try {
            return start.join();
        } catch (CompletionException e) {
            throw new IllegalStateException(service + " did not start: " + e.getCause().getMessage(), e.getCause());
        }
    }

    /**
     * Waits until the router and the session API report ready (their session directories have
     * caught up with Kafka).
     *
     * @throws IllegalStateException naming the service that did not become ready in time
     */
    public EmbeddedPlatform awaitReady(Duration max) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        long deadline = System.nanoTime() + max.toNanos();
        for (String url : new String[] {routerUrl, apiUrl}) {
            URI readiness = URI.create(url + "/actuator/health/readiness");
            while (!isUp(http, readiness)) {
                if (System.nanoTime() > deadline) {
                    throw new IllegalStateException(url + " did not become ready within " + max);
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException("interrupted while waiting for " + url, e);
                }
            }
        }
        return this;
    }

    private static boolean isUp(HttpClient http, URI readiness) {
        try {
            HttpResponse<Void> response = http.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2)).build(),
                    HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** A bearer token for the session API, signed with this platform's key. */
    public String apiToken(String user, Set<String> roles, Tier tier, Duration ttl) {
        return DevTokens.mint(secrets.apiTokenSecret().value(), user, roles, tier, ttl);
    }

    /**
     * The link that signs an operator in to the console ({@code /console}) with {@code adminToken}, a token
     * carrying the admin role such as {@code apiToken(..., Set.of("admin"), ...)} makes.
     */
    public String consoleSignInUrl(String adminToken) {
        return apiUrl + "/console/sign-in?token=" + adminToken;
    }

    private static String managementUrl(ConfigurableApplicationContext service) {
        return "http://localhost:" + service.getEnvironment().getRequiredProperty("local.server.port");
    }

    public String apiUrl() {
        return apiUrl;
    }

    public String routerUrl() {
        return routerUrl;
    }

    /** The router's port: host-style previews are {@code http://<session id>.preview.localhost:<port>/}. */
    public int routerPort() {
        return routerPort;
    }

    /** Stops the services in the reverse order of their start; the provisioner stops its machines last. */
    @Override
    public void close() {
        while (!running.isEmpty()) {
            running.pop().close();
        }
    }

    private static Map<String, Object> with(Map<String, Object> common, Map<String, Object> settings,
                                            Map<String, Object> wiring) {
        Map<String, Object> merged = new HashMap<>(common);
        merged.putAll(wiring);
        merged.putAll(settings);
        return merged;
    }


    /** Where the platform's database is. */
    public record Database(String jdbcUrl, String username, String password) {
    }
}
