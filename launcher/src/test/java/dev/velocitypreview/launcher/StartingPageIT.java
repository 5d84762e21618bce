package dev.velocitypreview.launcher;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.testkit.HeadlessChromium;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestDirectories;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static dev.velocitypreview.launcher.PlatformApi.field;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * What the person looking at a preview in an app builder's iframe sees while it starts: a page of another site
 * (served here by a plain local HTTP server) embeds a react template preview the moment its session is asked for;
 * the iframe shows the router's starting page first, then the app, with nobody reloading anything. The starting
 * page's screenshot goes to {@code target/screenshots/starting-page.png}.
 */
class StartingPageIT {

    /** A cold install of the react template's dependencies from the registry on a busy machine. */
    private static final Duration COLD_START = Duration.ofMinutes(6);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");
    private static final String USER = "starting-" + UUID.randomUUID();

    private static EmbeddedPlatform platform;
    private static PlatformApi api;
    private static HttpServer builderSite;
    /** The preview the builder's page embeds. */
    private static final AtomicReference<String> embedded = new AtomicReference<>("about:blank");

    private static Path stateDir;

    @BeforeAll
    static void startPlatformAndTheBuildersSite() throws Exception {
        TestDatabase database = TestPostgres.shared().createDatabase();
        stateDir = TestDirectories.create("starting-platform-");
        platform = EmbeddedPlatform.start(TestKafka.shared().bootstrapServers(),
                new EmbeddedPlatform.Database(database.jdbcUrl(), database.username(), database.password()),
                stateDir, 0, 0, PlatformSecrets.random(), SharedServers.ownSettings("starting_it", Map.of(
                        "velocity.provisioner.ready-timeout", COLD_START.toSeconds() + "s")),
                step -> { })
                .awaitReady(Duration.ofMinutes(2));
        api = new PlatformApi(platform, Duration.ofMinutes(1));
        builderSite = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        builderSite.createContext("/", exchange -> {
            byte[] page = ("<!doctype html><html><head><title>An app builder</title></head>"
                    + "<body style=\"margin:0;font-family:sans-serif\">"
                    + "<header style=\"box-sizing:border-box;height:40px;padding:10px 16px;background:#222;color:#fff\">An app builder: your preview</header>"
                    + "<iframe src=\"" + embedded.get() + "\" style=\"border:0;display:block;width:100%;height:calc(100vh - 40px)\"></iframe>"
                    + "</body></html>").getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, page.length);
            exchange.getResponseBody().write(page);
            exchange.close();
        });
        builderSite.start();
    }

    @AfterAll
    static void stopAll() {
        if (builderSite != null) {
            builderSite.stop(0);
        }
        if (platform != null) {
            platform.close();
        }
        TestDirectories.remove(stateDir);
    }

    @Test
    void theIframeShowsTheStartingPageFirstAndThenTheAppWithoutAReload() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            HttpResponse<String> created = api.post(USER, Tier.TEAM, "/v1/sessions",
                    "{\"projectId\":\"" + UUID.randomUUID() + "\",\"template\":\"react\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            String previewUrl = field(created.body(), "previewUrl");
            assertThat(URI.create(previewUrl).getHost()).as("host style").endsWith(".preview.localhost");
            embedded.set(previewUrl);

            browser.open("http://127.0.0.1:" + builderSite.getAddress().getPort() + "/");
            browser.script("window.velocityMarker = 'not reloaded'");
            browser.driver().switchTo().frame(browser.driver().findElement(By.tagName("iframe")));

            String starting = browser.awaitTextOf("#velocity-starting", "Starting your preview", Duration.ofSeconds(30));
            assertThat(starting).contains("Queued", "Preparing a machine", "Installing dependencies",
                    "Starting the dev server", "since it was asked for");
            browser.driver().switchTo().defaultContent();
            assertThat(browser.screenshot(SCREENSHOTS.resolve("starting-page.png"))).isNotEmptyFile();
            browser.driver().switchTo().frame(browser.driver().findElement(By.tagName("iframe")));

            // the page turns into the app by itself once the session is active
            browser.awaitText("button", "count is 0", COLD_START).click();
            assertThat(browser.awaitText("button", "count is 1", Duration.ofSeconds(20)).getText()).contains("count is 1");
            assertThat(browser.driver().findElements(By.id("velocity-starting"))).isEmpty();

            browser.driver().switchTo().defaultContent();
            assertThat(browser.script("return window.velocityMarker")).as("the builder's page was not reloaded")
                    .isEqualTo("not reloaded");
            assertThat(browser.screenshot(SCREENSHOTS.resolve("started-app.png"))).isNotEmptyFile();
        }
    }
}
