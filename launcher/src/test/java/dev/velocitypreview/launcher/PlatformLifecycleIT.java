package dev.velocitypreview.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import javax.sql.DataSource;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebElement;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.testkit.HeadlessChromium;
import dev.velocitypreview.testkit.StaticProjects;
import dev.velocitypreview.testkit.TestClock;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestDirectories;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static dev.velocitypreview.launcher.PlatformApi.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The lifecycle nobody drives by hand, end to end on the embedded platform (a real broker, PostgreSQL,
 * Debezium, real machines and the cleanup service): an idle preview is suspended and a request wakes it
 * with its page; a session past its expiry is terminated and its preview answers 410; extend and the
 * operators' statistics and cleanup pass, and their console in a browser. Cleanup's clock is the test's, so expiry
 * needs no waiting. The console's screenshot goes to {@code target/screenshots/console.png}.
 */
class PlatformLifecycleIT {

    /** Short enough to watch a suspend within a test, long enough that a page load is never idle. */
    private static final Duration IDLE_TIMEOUT = Duration.ofSeconds(3);
    private static final Duration PATIENCE = Duration.ofSeconds(90);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static final TestClock CLEANUP_CLOCK = TestClock.running();
    private static EmbeddedPlatform platform;
    private static PlatformApi api;
    private static DataSource projectTables;

    private static Path stateDir;

    @BeforeAll
    static void startPlatform() throws IOException {
        TestDatabase database = TestPostgres.shared().createDatabase();
        stateDir = TestDirectories.create("lifecycle-platform-");
        platform = EmbeddedPlatform.start(TestKafka.shared().bootstrapServers(),
                new EmbeddedPlatform.Database(database.jdbcUrl(), database.username(), database.password()),
                stateDir, 0, 0, PlatformSecrets.random(), SharedServers.ownSettings("lifecycle_it", Map.of(
                        "velocity.session-service.tiers.free.idle-timeout", IDLE_TIMEOUT.toString(),
                        "velocity.router.activity.interval", "1s",
                        "velocity.router.max-hold", "120s",
                        "velocity.provisioner.ready-timeout", "90s",
                        "velocity.cleanup.tick", "200ms")),
                step -> { }, CLEANUP_CLOCK)
                .awaitReady(Duration.ofMinutes(2));
        api = new PlatformApi(platform, PATIENCE);
        projectTables = database.dataSource();
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
        TestDirectories.remove(stateDir);
    }

    @Test
    void anIdlePreviewIsSuspendedAndARequestWakesItWithItsPage() throws Exception {
        String user = "idle-" + UUID.randomUUID();
        UUID projectId = StaticProjects.create(projectTables, user);
        HttpResponse<String> created = api.post(user, "/v1/sessions", "{\"projectId\":\"" + projectId + "\"}", Map.of());
        assertThat(created.statusCode()).isEqualTo(202);
        String previewUrl = field(created.body(), "previewUrl");
        String statusUrl = field(created.body(), "statusUrl");
        assertThat(api.get(user, previewUrl).statusCode()).isEqualTo(200);

        // nobody looks at it: cleanup suspends it once the tier's idle timeout has passed
        await().atMost(Duration.ofSeconds(60)).until(() -> api.get(user, statusUrl).body(),
                body -> body.contains("\"status\":\"SUSPENDED\""));

        // a request is held while the router wakes the session, and gets the page, never an error
        HttpResponse<String> woken = api.get(user, previewUrl);
        assertThat(woken.statusCode()).isEqualTo(200);
        assertThat(woken.body()).contains(projectId.toString());
        assertThat(scrape(platform.routerUrl())).contains("velocity_router_wakes_total{outcome=\"published\"}");
    }

    @Test
    void aSessionPastItsExpiryIsTerminatedAndItsPreviewAnswersGone() throws Exception {
        String user = "expiry-" + UUID.randomUUID();
        HttpResponse<String> created = api.post(user, "/v1/sessions",
                "{\"projectId\":\"" + StaticProjects.create(projectTables, user) + "\",\"ttl\":60}", Map.of());
        assertThat(created.statusCode()).isEqualTo(202);
        String previewUrl = field(created.body(), "previewUrl");
        String statusUrl = field(created.body(), "statusUrl");
        CompletableFuture<HttpResponse<String>> events = api.events(user, sessionId(statusUrl));
        assertThat(api.get(user, previewUrl).statusCode()).isEqualTo(200);
        Instant expiresAt = Instant.parse(field(await().atMost(PATIENCE).until(() -> api.get(user, statusUrl).body(),
                // ACTIVE, or already SUSPENDED: the tier's idle timeout is seconds here
                body -> body.matches("(?s).*\"status\":\"(ACTIVE|SUSPENDED)\".*") && body.contains("\"expiresAt\"")),
                "expiresAt"));

        // extend within the free tier's 30 minute cap moves the expiry; more than the cap is refused, naming it
        HttpResponse<String> extended = api.post(user, "/v1/sessions/" + sessionId(statusUrl) + "/extend",
                "{\"ttl\":\"PT2M\"}", Map.of());
        assertThat(extended.statusCode()).isEqualTo(200);
        Instant extendedTo = Instant.parse(field(extended.body(), "expiresAt"));
        assertThat(extendedTo).isAfter(expiresAt);
        HttpResponse<String> tooLong = api.post(user, "/v1/sessions/" + sessionId(statusUrl) + "/extend",
                "{\"ttl\":\"PT1H\"}", Map.of());
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body()).contains("extend_beyond_cap", "PT30M");
        HttpResponse<String> stranger = api.post("stranger-" + UUID.randomUUID(),
                "/v1/sessions/" + sessionId(statusUrl) + "/extend", "{\"ttl\":\"PT2M\"}", Map.of());
        assertThat(stranger.statusCode()).isEqualTo(404);

        // cleanup's clock passes the new expiry: the session ends with reason expired, within seconds
        CLEANUP_CLOCK.advance(Duration.between(Instant.now(), extendedTo).plusSeconds(1));
        await().atMost(Duration.ofSeconds(30)).until(() -> api.get(user, statusUrl).body(),
                body -> body.contains("\"status\":\"TERMINATED\"") && body.contains("\"statusReason\":\"expired\""));
        HttpResponse<String> gone = await().atMost(Duration.ofSeconds(10)).until(() -> api.get(user, previewUrl),
                response -> response.statusCode() == 410);
        assertThat(gone.body()).contains("terminated");

        // its event stream told each step of this real session, in order, and closed after the end
        String stream = events.get(30, TimeUnit.SECONDS).body();
        List<String> statuses = Pattern.compile("\"status\":\"([A-Z]+)\"").matcher(stream).results()
                .map(match -> match.group(1)).toList();
        // it starts with the view as it was when the stream opened (a static project may be STARTING by then), and
        // tells the way up in order before ACTIVE
        List<String> wayUp = List.of("REQUESTED", "PROVISIONING", "STARTING");
        List<String> beforeActive = statuses.subList(0, Math.max(0, statuses.indexOf("ACTIVE")));
        assertThat(beforeActive).allMatch(wayUp::contains)
                .isSortedAccordingTo(Comparator.comparingInt(wayUp::indexOf));
        assertThat(statuses).containsSubsequence("ACTIVE", "TERMINATED");
        assertThat(statuses.get(statuses.size() - 1)).isEqualTo("TERMINATED");
        List<Long> ids = Pattern.compile("(?m)^id:(\\d+)$").matcher(stream).results()
                .map(match -> Long.parseLong(match.group(1))).toList();
        assertThat(ids).hasSameSizeAs(statuses).isSorted().doesNotHaveDuplicates();

        // a client that lost the stream after ACTIVE resumes from it: only what came after, ending with the end
        long activeId = ids.get(statuses.indexOf("ACTIVE"));
        String resumed = api.events(user, sessionId(statusUrl), activeId).get(30, TimeUnit.SECONDS).body();
        List<String> after = Pattern.compile("\"status\":\"([A-Z]+)\"").matcher(resumed).results()
                .map(match -> match.group(1)).toList();
        assertThat(after).doesNotContain("PROVISIONING", "STARTING").endsWith("TERMINATED");
        assertThat(Pattern.compile("(?m)^id:(\\d+)$").matcher(resumed).results()
                .map(match -> Long.parseLong(match.group(1)))).allSatisfy(id -> assertThat(id).isGreaterThan(activeId));
        // and one that saw the end gets a closed stream with nothing in it
        String afterEnd = api.events(user, sessionId(statusUrl), ids.get(ids.size() - 1)).get(30, TimeUnit.SECONDS).body();
        assertThat(afterEnd).doesNotContain("\"status\"");
    }

    @Test
    void anOperatorOpensTheLaunchersSignInLinkAndFindsTheSessionsOnTheConsole() throws Exception {
        // team sessions: the free tier's idle timeout here is seconds, these stay ACTIVE while the test looks
        String user = "console-" + UUID.randomUUID().toString().substring(0, 8);
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> created = api.post(user, Tier.TEAM, "/v1/sessions",
                    "{\"projectId\":\"" + StaticProjects.create(projectTables, user) + "\"}");
            assertThat(created.statusCode()).isEqualTo(202);
            ids.add(field(created.body(), "sessionId"));
            // held by the router until the session is routable: a hold for the console's histogram
            assertThat(api.get(user, field(created.body(), "previewUrl")).statusCode()).isEqualTo(200);
        }
        String link = platform.consoleSignInUrl(platform.apiToken(Launcher.OPERATOR, Launcher.OPERATOR_ROLES, Tier.TEAM,
                Duration.ofHours(1)));

        try (HeadlessChromium browser = HeadlessChromium.start()) {
            browser.open(link);
            for (String id : ids) {
                String row = browser.awaitTextOf("tr[data-session-id='" + id + "']", "active", Duration.ofSeconds(30));
                assertThat(row).contains(id, user);
            }
            // the sign-in left no token in the address bar
            assertThat(browser.driver().getCurrentUrl()).isEqualTo(platform.apiUrl() + "/console");
            // the console's count is the API's own: the page redraws until it shows what the statistics say
            // (it redraws every two seconds: an element replaced while it is read is read again)
            await().atMost(Duration.ofSeconds(30)).ignoreException(StaleElementReferenceException.class).untilAsserted(() -> {
                long shown = Long.parseLong(browser.driver().findElement(By.cssSelector("#status-ACTIVE .count")).getText());
                HttpResponse<String> statistics = api.send("operator", Set.of("admin"),
                        HttpRequest.newBuilder(URI.create(platform.apiUrl() + "/v1/admin/statistics")));
                assertThat(shown).isGreaterThanOrEqualTo(ids.size())
                        .isEqualTo(Long.parseLong(statistics.body().replaceAll("(?s).*\"activeSessions\":(\\d+).*", "$1")));
            });
            browser.awaitText("#provisioning", "observed", Duration.ofSeconds(10));
            browser.awaitText("#router-hold", "observed", Duration.ofSeconds(10));
            await().atMost(Duration.ofSeconds(10)).ignoreException(StaleElementReferenceException.class).untilAsserted(() -> {
                assertThat(browser.driver().findElements(By.cssSelector("#provisioning svg rect.bar"))).isNotEmpty();
                assertThat(browser.driver().findElements(By.cssSelector("#router-hold svg rect.bar"))).isNotEmpty();
                assertThat(browser.driver().findElements(By.cssSelector("#router-hold svg text.axis")))
                        .extracting(WebElement::getText).allMatch(label -> label.matches("≤[0-9.]+m?s|more"));
            });
            // the launcher's wiring: router, provisioner (with the relay) and cleanup all answer the console's scrape
            String sources = browser.awaitTextOf("#sources", "this process: ok", Duration.ofSeconds(10));
            assertThat(sources).doesNotContain("unavailable").contains(platform.routerUrl() + "/actuator/prometheus: ok");
            assertThat(sources.lines().filter(line -> line.endsWith(": ok")).count()).isEqualTo(4);
            // tall enough for the whole console in one picture (the README shows it)
            browser.driver().manage().window().setSize(new Dimension(1280, 1500));
            browser.awaitText("#updated", "updated", Duration.ofSeconds(10));
            assertThat(browser.screenshot(SCREENSHOTS.resolve("console.png"))).isNotEmptyFile();
        }
    }

    @Test
    void operatorsSeeTheStatisticsAndRunACleanupPass() throws Exception {
        String user = "counted-" + UUID.randomUUID();
        HttpResponse<String> created = api.post(user, "/v1/sessions", "{\"projectId\":\"" + StaticProjects.create(projectTables, user) + "\"}",
                Map.of());
        assertThat(api.get(user, field(created.body(), "previewUrl")).statusCode()).isEqualTo(200);

        HttpResponse<String> statistics = api.send("operator", Set.of("admin"),
                HttpRequest.newBuilder(URI.create(platform.apiUrl() + "/v1/admin/statistics")));
        assertThat(statistics.statusCode()).isEqualTo(200);
        assertThat(statistics.body()).contains("\"activeSessions\"", "\"sessionsByStatus\"", "\"SUSPENDED\"",
                "\"provisioningMillis\"", "\"p99\"");

        HttpResponse<String> pass = api.send("operator", Set.of("admin"),
                HttpRequest.newBuilder(URI.create(platform.apiUrl() + "/v1/admin/cleanup"))
                        .POST(HttpRequest.BodyPublishers.noBody()));
        assertThat(pass.statusCode()).as(pass.body()).isEqualTo(200);
        assertThat(pass.body()).contains("\"expired\"", "\"suspended\"", "\"orphansDestroyed\"", "\"partitions\"");

        HttpResponse<String> refused = api.send(user, HttpRequest.newBuilder(URI.create(platform.apiUrl()
                + "/v1/admin/statistics")));
        assertThat(refused.statusCode()).isEqualTo(403);
        assertThat(scrape(platform.routerUrl())).contains("velocity_directory_changelog_lag_seconds_count");
    }

    private static String sessionId(String statusUrl) {
        return statusUrl.substring(statusUrl.lastIndexOf('/') + 1);
    }

    private static String scrape(String baseUrl) throws Exception {
        HttpResponse<String> response = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                URI.create(baseUrl + "/actuator/prometheus")).timeout(Duration.ofSeconds(10)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(response.statusCode()).isEqualTo(200);
        return response.body();
    }
}
