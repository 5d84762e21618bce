package dev.velocitypreview.launcher;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.WebElement;

import dev.velocitypreview.core.session.Tier;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;
import dev.velocitypreview.testkit.HeadlessChromium;
import dev.velocitypreview.testkit.RawHttp;
import dev.velocitypreview.testkit.TestDatabase;
import dev.velocitypreview.testkit.TestDirectories;
import dev.velocitypreview.testkit.TestKafka;
import dev.velocitypreview.testkit.TestPostgres;

import static dev.velocitypreview.launcher.PlatformApi.field;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real preview of each of the five templates, end to end on the embedded platform: a session asks for a new
 * project of that template, the runtime installs its dependencies from the npm registry and starts its dev
 * server, the router serves it host style, and a person in Chromium sees the page and clicks its counter.
 * Screenshots go to {@code target/screenshots/}.
 */
class TemplatePreviewsIT {

    /** A cold install of a template's dependencies from the registry (Next.js is the largest) on a busy machine. */
    private static final Duration COLD_START = Duration.ofMinutes(6);
    private static final Path SCREENSHOTS = Path.of("target", "screenshots");

    private static EmbeddedPlatform platform;
    private static PlatformApi api;
    /** Template name → the preview URL of its session, all created at once so their installs overlap. */
    private static final Map<String, String> previews = new LinkedHashMap<>();
    /** Template name → the project its session made from it. */
    private static final Map<String, UUID> projects = new LinkedHashMap<>();
    private static final String USER = "templates-" + UUID.randomUUID();

    private static Path stateDir;

    @BeforeAll
    static void startPlatformAndOneSessionPerTemplate() throws Exception {
        TestDatabase database = TestPostgres.shared().createDatabase();
        stateDir = TestDirectories.create("templates-platform-");
        platform = EmbeddedPlatform.start(TestKafka.shared().bootstrapServers(),
                new EmbeddedPlatform.Database(database.jdbcUrl(), database.username(), database.password()),
                stateDir, 0, 0, PlatformSecrets.random(), SharedServers.ownSettings("templates_it", Map.of(
                        "velocity.router.max-hold", "20s",
                        // a cold Next.js install and first compile on a busy two-core box outlast the default
                        "velocity.provisioner.ready-timeout", COLD_START.toSeconds() + "s")),
                step -> { })
                .awaitReady(Duration.ofMinutes(2));
        api = new PlatformApi(platform, Duration.ofMinutes(1));
        for (var template : TemplateCatalog.builtIn().all()) {
            UUID project = UUID.randomUUID();
            HttpResponse<String> created = api.post(USER, Tier.TEAM, "/v1/sessions",
                    "{\"projectId\":\"" + project + "\",\"template\":\"" + template.name() + "\"}");
            assertThat(created.statusCode()).as(created.body()).isEqualTo(202);
            previews.put(template.name(), field(created.body(), "previewUrl"));
            projects.put(template.name(), project);
        }
    }

    @AfterAll
    static void stopPlatform() {
        if (platform != null) {
            platform.close();
        }
        TestDirectories.remove(stateDir);
    }

    /**
     * The page, once the session is ACTIVE: a request is held only up to the router's max hold, and a cold install
     * takes longer. Java resolves no {@code *.localhost} name, so the request goes to loopback naming the host.
     */
    private static RawHttp.Answer awaitServed(String previewUrl) {
        URI preview = URI.create(previewUrl);
        return await().atMost(COLD_START).pollInterval(Duration.ofSeconds(1))
                .until(() -> RawHttp.send(preview.getPort(), "GET / HTTP/1.1\r\nHost: " + preview.getAuthority()
                        + "\r\nAccept: text/html"), answer -> answer.status() == 200);
    }

    @Test
    void eachTemplateIsServedThroughTheRouterByItsDevServer() {
        previews.forEach((template, previewUrl) -> {
            assertThat(URI.create(previewUrl).getHost()).as("host style").endsWith(".preview.localhost");
            RawHttp.Answer page = awaitServed(previewUrl);
            assertThat(page.contentType()).as(template).startsWith("text/html");
            assertThat(page.body()).as(template).containsIgnoringCase("<html");
        });
    }

    @Test
    void aPersonSeesEachTemplatesPageAndItsCounterCounts() throws IOException {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            for (Map.Entry<String, String> preview : previews.entrySet()) {
                String template = preview.getKey();
                awaitServed(preview.getValue());
                browser.open(preview.getValue());
                // the first visit has the dev server transform every module of the page on demand (react-native-web's
                // are many): part of the template's cold start, so it gets the cold start's bound, not a minute
                WebElement counter = browser.awaitText("button", "count is 0", COLD_START);
                counter.click();
                assertThat(browser.awaitText("button", "count is 1", Duration.ofSeconds(60)).getText())
                        .as(template).contains("count is 1");
                assertThat(browser.screenshot(SCREENSHOTS.resolve("template-" + template + ".png"))).isNotEmptyFile();
            }
        }
    }

    /**
     * The promise: with the page open and its counter at 2, a write of the main component through the files
     * API shows in the page without a reload (a marker set on {@code window} survives, which a reload would clear),
     * and the counter keeps its value. The write with {@code ?wait=applied} answers once the preview has it.
     */
    @Test
    void anEditShowsInTheOpenPageWithoutAReloadAndTheCountStays() throws Exception {
        try (HeadlessChromium browser = HeadlessChromium.start()) {
            for (String template : List.of("react", "vue", "svelte")) {
                awaitServed(previews.get(template));
                browser.open(previews.get(template));
                browser.awaitText("button", "count is 0", Duration.ofSeconds(60)).click();
                browser.awaitText("button", "count is 1", Duration.ofSeconds(20)).click();
                browser.awaitText("button", "count is 2", Duration.ofSeconds(20));
                browser.script("window.velocityMarker = 'not reloaded'");

                String edited = mainFile(template).replace("Hello from", "Edited live in");
                HttpResponse<String> written = api.put(USER, filePath(template) + "?wait=applied", edited);
                assertThat(written.statusCode()).as(written.body()).isEqualTo(200);
                assertThat(written.body()).as(template).contains("\"outcome\":\"applied\"");

                assertThat(browser.awaitTextOf("h1", "Edited live in", Duration.ofSeconds(20))).as(template)
                        .startsWith("Edited live in");
                assertThat(browser.script("return window.velocityMarker")).as(template + " reloaded the page")
                        .isEqualTo("not reloaded");
                assertThat(browser.awaitTextOf("button", "count is", Duration.ofSeconds(5))).as(template)
                        .isEqualTo("count is 2");
                assertThat(browser.screenshot(SCREENSHOTS.resolve("edited-" + template + ".png"))).isNotEmptyFile();
            }
        }
    }

    /** An AI agent that writes a broken component learns so from the write itself, and learns when it is fixed. */
    @Test
    void aWriteThatBreaksTheBuildAnswersWithTheCompileErrorAndItsFixAnswersApplied() throws Exception {
        awaitServed(previews.get("react"));
        String original = mainFile("react");
        String broken = original.replace("<h1>", "<h1>{");
        HttpResponse<String> breaking = api.put(USER, filePath("react") + "?wait=applied", broken);
        assertThat(breaking.statusCode()).as(breaking.body()).isEqualTo(200);
        assertThat(breaking.body()).contains("\"outcome\":\"compile_error\"").contains("\"file\":\"src/App.jsx\"")
                .containsPattern("\"line\":\\d+");

        HttpResponse<String> fixing = api.put(USER, filePath("react") + "?wait=applied", original);
        assertThat(fixing.statusCode()).as(fixing.body()).isEqualTo(200);
        assertThat(fixing.body()).contains("\"outcome\":\"applied\"").doesNotContain("compile_error");
    }

    private static String filePath(String template) {
        return "/v1/projects/" + projects.get(template) + "/files/" + template(template).mainFile();
    }

    private static String mainFile(String template) {
        Template t = template(template);
        return t.files().stream().filter(file -> file.path().equals(t.mainFile())).findFirst().orElseThrow().content();
    }

    private static Template template(String name) {
        return TemplateCatalog.builtIn().named(name).orElseThrow();
    }
}
