package dev.velocitypreview.templates;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.io.IOException;
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
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.api.parallel.Execution;
import org.junit.jupiter.api.parallel.ExecutionMode;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every template installs from its lockfile and builds, with the real npm: what a new project made from
 * it gets. npm's own cache (~/.npm) is shared between runs and templates, so a warm machine installs
 * from it ({@code --prefer-offline}) and the registry is asked only for what the cache lacks. Templates
 * run two at a time (see junit-platform.properties): one's install overlaps another's build.
 */
@Execution(ExecutionMode.CONCURRENT)
class TemplateBuildIT {

    private static final Duration STEP_TIMEOUT = Duration.ofMinutes(5);
    private static final int OUTPUT_TAIL_LINES = 40;

    /** Where each template's build writes its output; a template missing here fails the test below. */
    private static final Map<String, String> BUILD_OUTPUT = Map.of(
            "react", "dist/index.html",
            "vue", "dist/index.html",
            "svelte", "dist/index.html",
            "next", ".next/BUILD_ID",
            "react-native", "dist/index.html");

    private static Path npm;

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

    /** next first: its build takes longest by far, so the others run beside it instead of after it. */
    static Stream<String> templates() {
        return TemplateCatalog.builtIn().all().stream().map(Template::name)
                .sorted(Comparator.comparing((String name) -> !name.equals("next")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("templates")
    void templateInstallsFromItsLockfileAndBuilds(String name, @TempDir Path project) throws Exception {
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
            process.descendants().forEach(ProcessHandle::destroyForcibly);
            process.destroyForcibly();
            Files.deleteIfExists(log);
        }
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
