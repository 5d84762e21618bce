package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.core.edits.CompileError;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;

/**
 * The compile check against the templates' real dev servers (npm ci, npm run dev): a sync answer with a syntax error
 * is written as the sync loop writes it, the dev server is asked, and the fix is asked again.
 */
class CompileCheckIT {

    /** A cold {@code npm ci} of a template (Next.js is the largest), bounded by the runtime itself. */
    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    /** The first compile, bounded by the runtime itself. */
    private static final Duration DEV_START_TIMEOUT = Duration.ofMinutes(3);
    /**
     * The runtime's own bounds and a minute more: on a machine busy with other builds a cold Next.js install takes
     * minutes, and the runtime, not this wait, decides when a start has failed (the assertion then shows why).
     */
    private static final Duration STARTUP = INSTALL_TIMEOUT.plus(DEV_START_TIMEOUT).plusMinutes(1);

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final RuntimeLog log = new RuntimeLog(new PrintStream(logs, true, StandardCharsets.UTF_8), "s-compile");
    private final List<PreviewRuntime> started = new ArrayList<>();

    @BeforeAll
    static void npmIsOnThePath() throws Exception {
        try {
            Process npm = new ProcessBuilder("npm", "--version").redirectErrorStream(true).start();
            if (!npm.waitFor(60, TimeUnit.SECONDS) || npm.exitValue() != 0) {
                fail("npm --version did not succeed: these tests need Node 20 and npm on the PATH");
            }
        } catch (IOException e) {
            fail("npm is not on the PATH (" + e.getMessage() + "): these tests need Node 20 and npm");
        }
    }

    @AfterEach
    void stop() {
        started.forEach(PreviewRuntime::close);
    }

    /** The template's files from the templates module, as a session's bundle carries them. */
    private PreviewRuntime startTemplate(String template, String... files) throws IOException {
        List<Bundles.Entry> entries = new ArrayList<>();
        for (String file : files) {
            entries.add(Bundles.Entry.file(file, resource("/templates/" + template + "/" + file)));
        }
        Path bundle = Bundles.write(temp.resolve("bundle.json"), Bundles.SESSION, entries);
        RuntimeOptions options = new RuntimeOptions(0, "127.0.0.1", temp.resolve("work"), bundle, null, null,
                null, FileLimits.DEFAULT, null, new RuntimeOptions.DevOptions(temp.resolve("deps"), "npm", INSTALL_TIMEOUT,
                DEV_START_TIMEOUT, null), null);
        PreviewRuntime runtime = PreviewRuntime.start(options, new PrintStream(logs, true, StandardCharsets.UTF_8), task -> {
            Thread thread = new Thread(task, "materializer-" + template);
            thread.setDaemon(true);
            thread.start();
        });
        started.add(runtime);
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .until(() -> runtime.health().status() != Health.Status.STARTING);
        assertThat(runtime.health().status()).as("health: %s", new String(runtime.health().json(), StandardCharsets.UTF_8))
                .isEqualTo(Health.Status.READY);
        return runtime;
    }

    private static String resource(String name) throws IOException {
        try (InputStream in = CompileCheckIT.class.getResourceAsStream(name)) {
            if (in == null) {
                throw new IOException("no resource " + name + " (the templates module is a test dependency)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static SyncResponse answer(String path, long version, String content) {
        return new SyncResponse(List.of(new SyncedFile(path, version, HeldFiles.sha256(HeldFiles.utf8(content)), content)),
                List.of());
    }

    @Test
    void aSyntaxErrorInAViteProjectIsReportedWithFileAndLineAndItsFixCompiles() throws Exception {
        PreviewRuntime runtime = startTemplate("react", "index.html", "package.json", "package-lock.json",
                "vite.config.js", "src/App.jsx", "src/main.jsx", "src/index.css");
        Path root = temp.resolve("work").toRealPath();
        String good = resource("/templates/react/src/App.jsx");
        EditWriter writer = new EditWriter(root, FileLimits.DEFAULT, runtime.held());
        CompileCheck check = CompileCheck.forDevServer(root, runtime.devServer().port(), http, log);
        assertThat(check).isInstanceOf(ViteCompileCheck.class);

        EditWriter.Applied broken = writer.apply(answer("src/App.jsx", 2,
                "export default function App() {\n  return <main><h1>broken</h1>\n}\n"));
        CompileError error = check.check(broken.changed());

        assertThat(error).as("the first page had App.jsx compiled and cached; the broken one is seen").isNotNull();
        assertThat(error.file()).isEqualTo("src/App.jsx");
        assertThat(error.line()).isEqualTo(2);
        assertThat(error.column()).isEqualTo(31);
        assertThat(error.message()).startsWith("src/App.jsx: Unterminated JSX contents.").doesNotContain(root.toString());

        EditWriter.Applied fixed = writer.apply(answer("src/App.jsx", 3, good));
        assertThat(check.check(fixed.changed())).isNull();
        assertThat(runtime.held().get("src/App.jsx").version()).isEqualTo(3);
    }

    @Test
    void aSyntaxErrorInANextProjectIsReportedFromTheErrorItsPageEmbeds() throws Exception {
        PreviewRuntime runtime = startTemplate("next", "next.config.mjs", "package.json", "package-lock.json",
                "src/app/page.jsx", "src/app/layout.jsx", "src/app/globals.css");
        Path root = temp.resolve("work").toRealPath();
        String good = resource("/templates/next/src/app/page.jsx");
        EditWriter writer = new EditWriter(root, FileLimits.DEFAULT, runtime.held());
        int port = runtime.devServer().port();
        assertThat(CompileCheck.forDevServer(root, port, http, log)).isInstanceOf(NextCompileCheck.class);
        // webpack compiles the whole route on the request; on a loaded machine that is longer than the runtime's bound
        CompileCheck check = new NextCompileCheck(root, port, http, Duration.ofMinutes(2), log);

        EditWriter.Applied broken = writer.apply(answer("src/app/page.jsx", 2,
                "'use client'\nexport default function Page() {\n  return <main><h1>broken</h1>\n}\n"));
        CompileError error = check.check(broken.changed());

        assertThat(error).isNotNull();
        assertThat(error.file()).isEqualTo("src/app/page.jsx");
        assertThat(error.line()).isEqualTo(4);
        assertThat(error.message()).contains("Unexpected token").doesNotContain(root.toString());

        EditWriter.Applied fixed = writer.apply(answer("src/app/page.jsx", 3, good));
        assertThat(check.check(fixed.changed())).isNull();
    }
}
