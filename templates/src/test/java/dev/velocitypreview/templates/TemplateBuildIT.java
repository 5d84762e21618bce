package dev.velocitypreview.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import dev.velocitypreview.core.net.LoopbackPorts;
import java.io.File;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every template installs from its lockfile, builds, and its dev server keeps the dev-server contract
 * (docs/templates.md), with the real npm: what a new project made from it gets. npm's own cache
 * (~/.npm) is shared between runs and templates, so a warm machine installs from it
 * ({@code --prefer-offline}) and the registry is asked only for what the cache lacks. Templates run
 * two at a time (see junit-platform.properties): one's install overlaps another's build.
 */
@Execution(ExecutionMode.CONCURRENT)
class TemplateBuildIT {

    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    private static final int OUTPUT_TAIL_LINES = 40;
    private static final String PREVIEW_HOST = "3f2c8a1e-5b7d-4c9e-a1f0-123456789abc.preview.localhost:8081";

    /** Where each template's build writes its output; a template missing here fails the test below. */
    private static final Map<String, String> BUILD_OUTPUT = Map.of(
            "react", "dist/index.html",
            "vue", "dist/index.html",
            "svelte", "dist/index.html",
            "next", ".next/BUILD_ID",
            "react-native", "dist/index.html");

    private static Path npm;
    private static final Duration PAGE_TIMEOUT = Duration.ofMinutes(2);
    // HTTP/1.1 only: the JDK client's default h2c upgrade offer would be taken for a WebSocket upgrade
    // by the dev servers' upgrade handlers and never answered
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();

    @BeforeAll
    static void findNpm() {
        npm = onPath("npm").orElseThrow(() -> new AssertionError(
                "npm is not on PATH (" + System.getenv("PATH") + "): TemplateBuildIT needs Node 20.19+ and npm to install and build the templates"));
    }

    @Test
    void everyTemplateSaysWhereItsBuildWrites() {
        assertThat(BUILD_OUTPUT.keySet()).containsExactlyInAnyOrderElementsOf(
                TemplateCatalog.builtIn().all().stream().map(Template::name).toList());
    }

    /** next first: it takes longest by far, so the others run beside it instead of after it. */
    static Stream<String> templates() {
        return TemplateCatalog.builtIn().all().stream().map(Template::name)
                .sorted(Comparator.comparing((String name) -> !name.equals("next")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void templateInstallsBuildsAndServesItsPageToAPreviewHost(String name, @TempDir Path project) throws Exception {
        Template template = TemplateCatalog.builtIn().named(name).orElseThrow();
        for (TemplateFile file : template.files()) {
            Path target = project.resolve(file.path());
            Files.createDirectories(target.getParent());
            Files.writeString(target, file.content(), StandardCharsets.UTF_8);
        }

        run(name, project, "ci", "--prefer-offline", "--no-audit", "--no-fund");
        run(name, project, "run", "build");

        Path output = project.resolve(BUILD_OUTPUT.get(name));
        assertThat(output).as("%s: build output", name).isRegularFile();
        assertThat(Files.size(output)).as("%s: size of %s", name, output).isPositive();

        int port = LoopbackPorts.free();
        Path log = Files.createTempFile("template-" + name + "-dev-", ".log");
        Process devServer = devServer(project, port, log);
        try {
            HttpResponse<String> page = firstPage(name, devServer, port, log);
            assertThat(page.statusCode()).as("%s: status of / for Host %s", name, PREVIEW_HOST).isEqualTo(200);
            assertThat(page.body()).as("%s: page for Host %s", name, PREVIEW_HOST).containsIgnoringCase("<html");

            // a second dev server on the taken port must give up, not move to another port
            Path secondLog = Files.createTempFile("template-" + name + "-dev-second-", ".log");
            Process second = devServer(project, port, secondLog);
            try {
                if (!second.waitFor(PAGE_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    fail("%s: a second dev server on taken port %d is still running; its output ends:%n%s", name, port, tail(secondLog));
                }
            } finally {
                stop(second);
                Files.deleteIfExists(secondLog);
            }
            assertThat(devServer.isAlive()).as("%s: first dev server still up", name).isTrue();
        } finally {
            stop(devServer);
            Files.deleteIfExists(log);
        }
    }

    /** The contract's dev script (section 2) with these variables; npm runs it here, the runtime with {@code sh -c}. */
    private static Process devServer(Path project, int port, Path log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(npm.toString(), "run", "dev").directory(project.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("PORT", Integer.toString(port));
        builder.environment().put("HOST", "127.0.0.1");
        builder.environment().put("BROWSER", "none");
        builder.environment().put("NEXT_TELEMETRY_DISABLED", "1");
        builder.environment().put("npm_config_update_notifier", "false");
        return builder.start();
    }

    /** The first answer to {@code GET /} as a preview host; Next.js compiles the page on this request. */
    private HttpResponse<String> firstPage(String template, Process devServer, int port, Path log) throws IOException {
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/"))
                .header("Host", PREVIEW_HOST).timeout(PAGE_TIMEOUT).GET().build();
        AtomicReference<HttpResponse<String>> response = new AtomicReference<>();
        await().atMost(STEP_TIMEOUT).pollInterval(Duration.ofMillis(250)).ignoreExceptionsInstanceOf(IOException.class)
                .until(() -> {
                    if (!devServer.isAlive()) {
                        throw new AssertionError(template + ": dev server exited " + devServer.exitValue()
                                + " before serving its page; its output ends:\n" + tail(log));
                    }
                    response.set(http.send(request, HttpResponse.BodyHandlers.ofString()));
                    return true;
                });
        return response.get();
    }

    private static void run(String template, Path directory, String... arguments) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>();
        command.add(npm.toString());
        command.addAll(List.of(arguments));
        Path log = Files.createTempFile("template-" + template + "-npm-", ".log");
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile())
                .redirectErrorStream(true).redirectOutput(log.toFile());
        builder.environment().put("NEXT_TELEMETRY_DISABLED", "1");
        builder.environment().put("npm_config_update_notifier", "false");
        Process process = builder.start();
        try {
            if (!process.waitFor(STEP_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                fail("%s: npm %s did not finish within %s; its output ends:%n%s",
                        template, String.join(" ", arguments), STEP_TIMEOUT, tail(log));
            }
            if (process.exitValue() != 0) {
                fail("%s: npm %s exited %d; its output ends:%n%s",
                        template, String.join(" ", arguments), process.exitValue(), tail(log));
            }
        } finally {
            stop(process);
            Files.deleteIfExists(log);
        }
    }

    /** npm, its shell, the dev server and esbuild's service: children first, so none is left behind. */
    private static void stop(Process process) throws InterruptedException {
        List<ProcessHandle> tree = new ArrayList<>(process.descendants().toList());
        tree.forEach(ProcessHandle::destroy);
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
        tree.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }

    private static String tail(Path log) throws IOException {
        List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
        return String.join(System.lineSeparator(), lines.subList(Math.max(0, lines.size() - OUTPUT_TAIL_LINES), lines.size()));
    }

    private static Optional<Path> onPath(String executable) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        return Stream.of(path.split(File.pathSeparator)).filter(entry -> !entry.isEmpty())
                .map(entry -> Path.of(entry, executable))
                .filter(Files::isExecutable)
                .findFirst();
    }
}
