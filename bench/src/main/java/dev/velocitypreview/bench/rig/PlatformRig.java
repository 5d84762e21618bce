package dev.velocitypreview.bench.rig;

import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

import org.postgresql.ds.PGSimpleDataSource;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.embedded.EmbeddedKafkaBroker;
import dev.velocitypreview.launcher.EmbeddedPlatform;
import dev.velocitypreview.launcher.PlatformSecrets;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.testkit.LoopbackPreviews;
import dev.velocitypreview.testkit.StaticProjects;

/**
 * The embedded platform as the launcher runs it (provisioner with the CDC relay and the local machine driver,
 * router in proxy mode, session API) on its own broker and database, plus the bench's session directory.
 */
public final class PlatformRig implements AutoCloseable {

    /** Many preview JVMs starting at once on two cores take far longer than a lone one. */
    private static final Duration MACHINE_WAIT = Duration.ofMinutes(3);

    private final EmbeddedKafkaBroker broker;
    private final EmbeddedPlatform platform;
    private final WatchedDirectory directory;
    private final String jdbcUrl;
    private final String databaseUser;
    private final Path stateDir;
    private final HttpClient http;
    private final HttpClient previews = HttpClient.newBuilder().proxy(LoopbackPreviews.SELECTOR)
            .version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();

    private PlatformRig(EmbeddedKafkaBroker broker, EmbeddedPlatform platform, WatchedDirectory directory,
                        String jdbcUrl, String databaseUser, Path stateDir) {
        this.broker = broker;
        this.platform = platform;
        this.directory = directory;
        this.jdbcUrl = jdbcUrl;
        this.databaseUser = databaseUser;
        this.stateDir = stateDir;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
    }

    public static PlatformRig start(Infrastructure infrastructure) {
        return start(infrastructure, "platform", Map.of());
    }

    /**
     * As {@link #start(Infrastructure)}, with further settings for the platform's services (a warm pool's), and a
     * name of its own (a lower-case identifier) for its database, broker, state and changelog slot, so that it can
     * follow another rig on the same infrastructure (replication slots are the PostgreSQL server's, not a database's).
     */
    public static PlatformRig start(Infrastructure infrastructure, String name, Map<String, Object> settings) {
        String jdbcUrl = infrastructure.createDatabase(name);
        EmbeddedKafkaBroker broker = infrastructure.startBroker(name);
        EmbeddedPlatform platform = null;
        Path stateDir = infrastructure.directory(name + "-state");
        try {
            platform = EmbeddedPlatform.start(broker.bootstrapServers(),
                    new EmbeddedPlatform.Database(jdbcUrl, infrastructure.databaseUser(), ""),
                    stateDir, 0, 0, PlatformSecrets.random(),
                    with(settings, Map.of("velocity.router.max-hold", MACHINE_WAIT.toSeconds() + "s",
                            "velocity.provisioner.ready-timeout", MACHINE_WAIT.toSeconds() + "s",
                            // the scenarios' JDK client does not send *.localhost to loopback as browsers do, and
                            // their figures are of path-style previews
                            "velocity.session-service.preview-style", "path",
                            "velocity.provisioner.cdc.slot-name", "bench_" + name,
                            "velocity.provisioner.cdc.publication-name", "bench_" + name + "_pub")),
                    step -> { })
                    .awaitReady(Duration.ofMinutes(3));
            WatchedDirectory directory = WatchedDirectory.start(broker.bootstrapServers(),
                    infrastructure.directory(name + "-directory"), "bench-" + name + "-directory", Duration.ofMinutes(1));
            return new PlatformRig(broker, platform, directory, jdbcUrl, infrastructure.databaseUser(), stateDir);
        } catch (RuntimeException e) {
            if (platform != null) {
                platform.close();
            }
            broker.close();
            throw e;
        }
    }

    private static Map<String, Object> with(Map<String, Object> settings, Map<String, Object> rig) {
        Map<String, Object> all = new HashMap<>(rig);
        all.putAll(settings);
        return all;
    }

    /** A bearer token for {@code user} on the team tier (the largest quotas). */
    public String token(String user) {
        return token(user, Tier.TEAM);
    }

    /** A bearer token for {@code user} on {@code tier}, whose machine size is the tier's. */
    public String token(String user, Tier tier) {
        return platform.apiToken(user, Set.of(), tier, Duration.ofHours(2));
    }

    /**
     * The session's host-style preview ({@code http://<id>.preview.localhost:<router port>/}), as a browser opens a
     * dev server's page; reach it with {@link #previews()}.
     */
    public URI hostStylePreview(UUID sessionId) {
        return URI.create("http://" + sessionId + ".preview.localhost:" + platform.routerPort() + "/");
    }

    /** A client that reaches host-style previews on loopback, as browsers do. */
    public HttpClient previews() {
        return previews;
    }

    public SessionApi api() {
        return new SessionApi(http, platform.apiUrl());
    }

    public HttpClient http() {
        return http;
    }

    public String routerUrl() {
        return platform.routerUrl();
    }

    /** The rig's broker, for scenarios that publish commands themselves. */
    public String bootstrapServers() {
        return broker.bootstrapServers();
    }

    public WatchedDirectory directory() {
        return directory;
    }

    /**
     * A new static project of {@code owner} (one page, no dev server), for scenarios that time the platform rather
     * than a template's {@code npm ci}.
     */
    public UUID staticProject(String owner) {
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setUrl(jdbcUrl);
        database.setUser(databaseUser);
        return StaticProjects.create(database, owner);
    }

    /**
     * A new project of {@code owner}: {@code template}'s files, those named in {@code changed} with that content;
     * its dependency files stay the template's unless changed.
     */
    public UUID templateProject(String owner, Template template, Map<String, String> changed) {
        PGSimpleDataSource database = new PGSimpleDataSource();
        database.setUrl(jdbcUrl);
        database.setUser(databaseUser);
        return TemplateProjects.create(database, owner, template, changed);
    }

    /** Waits until every one of these sessions has ended in the rig's directory (its machine stopped). */
    public void awaitEnded(Collection<UUID> sessions) {
        CompletableFuture.allOf(sessions.stream()
                .map(id -> directory.sessions().await(id, view -> view.status().isTerminal(), MACHINE_WAIT))
                .toArray(CompletableFuture[]::new)).join();
    }

    /** Where a local machine's runtime writes its project's files (the local driver's layout). */
    public Path machineWorkDir(String machineId) {
        return stateDir.resolve("machines").resolve(machineId).resolve("work");
    }

    /** The platform's database, for the old way's router (which reads it) and for seeding projects. */
    public String jdbcUrl() {
        return jdbcUrl;
    }

    public String databaseUser() {
        return databaseUser;
    }

    /** How long a request may be held and a machine may take to start here. */
    public Duration machineWait() {
        return MACHINE_WAIT;
    }

    @Override
    public void close() {
        try {
            directory.close();
            platform.close();
        } finally {
            broker.close();
        }
    }
}
