package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Dev mode with real npm and real dev servers: the small projects under {@code src/test/resources/projects}. */
class DevModeIT {

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration DEV_START_TIMEOUT = Duration.ofMinutes(2);
    /** The runtime's own bounds and a minute more: the runtime, not this wait, decides that a start failed. */
    private static final Duration STARTUP = INSTALL_TIMEOUT.plus(DEV_START_TIMEOUT).plusMinutes(1);
    private static final String SECRET = "replay-state-0123456789abcdef0123456789";

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2))
            .version(HttpClient.Version.HTTP_1_1).build();
    private final List<PreviewRuntime> started = new ArrayList<>();
    private final List<ByteArrayOutputStream> logs = new ArrayList<>();

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

    private PreviewRuntime start(String project, String name, Path store, ReplayState replayState) throws IOException {
        Path bundle = Bundles.write(temp.resolve(name + ".json"), Bundles.SESSION, projectFiles(project));
        RuntimeOptions options = new RuntimeOptions(0, "127.0.0.1", temp.resolve(name), bundle, null, null,
                null, FileLimits.DEFAULT, replayState, new RuntimeOptions.DevOptions(store, "npm", INSTALL_TIMEOUT, DEV_START_TIMEOUT, null), null);
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        logs.add(log);
        PreviewRuntime runtime = PreviewRuntime.start(options, new PrintStream(log, true, StandardCharsets.UTF_8), task -> {
            Thread thread = new Thread(task, "materializer-" + name);
            thread.setDaemon(true);
            thread.start();
        });
        started.add(runtime);
        return runtime;
    }

    private PreviewRuntime start(String project, String name) throws IOException {
        return start(project, name, temp.resolve("deps"), null);
    }

    private static Health.Snapshot awaitEnd(PreviewRuntime runtime) {
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(50))
                .until(() -> runtime.health().status() != Health.Status.STARTING);
        return runtime.health();
    }

    private static Health.Snapshot awaitReady(PreviewRuntime runtime) {
        Health.Snapshot end = awaitEnd(runtime);
        assertThat(end.status()).as("health: %s", new String(end.json(), StandardCharsets.UTF_8)).isEqualTo(Health.Status.READY);
        return end;
    }

    private String logOf(int index) {
        return logs.get(index).toString(StandardCharsets.UTF_8);
    }

    private HttpResponse<String> send(PreviewRuntime runtime, String method, String path, String body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body))
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String rawStatusLine(PreviewRuntime runtime, String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", runtime.port())) {
            socket.setSoTimeout(10_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.ISO_8859_1));
            return new java.io.BufferedReader(new java.io.InputStreamReader(socket.getInputStream(), StandardCharsets.ISO_8859_1)).readLine();
        }
    }

    private static List<Bundles.Entry> projectFiles(String project) {
        try {
            Path root = Path.of(DevModeIT.class.getResource("/projects/" + project).toURI());
            try (Stream<Path> files = Files.walk(root)) {
                return files.filter(Files::isRegularFile).map(file -> Bundles.Entry.file(
                        root.relativize(file).toString().replace('\\', '/'), read(file))).toList();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String read(Path file) {
        try {
            return Files.readString(file);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Test
    void aDevServerProjectIsReadyOnlyOnceItsFirstPageWasAnswered() throws Exception {
        PreviewRuntime runtime = start("node-server", "work");

        // the dev server listens, but holds every answer until the file "open" exists
        await().atMost(STARTUP).until(() -> logOf(0).contains("line=\"listening on 127.0.0.1:"));
        Health.Snapshot holding = runtime.health();
        assertThat(holding.status()).isEqualTo(Health.Status.STARTING);
        assertThat(holding.check(Health.DEV_SERVER).status()).isEqualTo(Health.CheckStatus.RUNNING);
        assertThat(send(runtime, "GET", "/health", null).statusCode()).isEqualTo(503);

        Files.writeString(temp.resolve("work/open"), "");
        Health.Snapshot ready = awaitReady(runtime);

        assertThat(ready.check(Health.FILES).detail()).isEqualTo("2 files");
        assertThat(ready.check(Health.INSTALL).detail()).startsWith("installed with npm install into store entry ");
        assertThat(ready.check(Health.DEV_SERVER).detail()).startsWith("first page answered 200 on port ");
        assertThat(ready.checks()).allSatisfy(check -> assertThat(check.millis()).isNotNull());
        HttpResponse<String> page = send(runtime, "GET", "/s/" + Bundles.SESSION + "/page?a=1&preview_token=v1.secret", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("GET /page?a=1 host=127.0.0.1:" + runtime.port() + " body=\n");
        HttpResponse<String> post = send(runtime, "PUT", "/items/1", "a body for the dev server");
        assertThat(post.body()).isEqualTo("PUT /items/1 host=127.0.0.1:" + runtime.port() + " body=a body for the dev server\n");
        HttpResponse<String> chunked = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/chunked"))
                .POST(HttpRequest.BodyPublishers.ofInputStream(() -> new java.io.ByteArrayInputStream("streamed".getBytes())))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(chunked.body()).as("a chunked body goes through").endsWith(" body=streamed\n");
        assertThat(logOf(0)).contains("session=" + Bundles.SESSION + " msg=\"dev server output\" line=\"listening on 127.0.0.1:");
    }

    @Test
    void forwardedRequestsStillNeedTheRouterReplayState() throws Exception {
        PreviewRuntime runtime = start("node-server", "work", temp.resolve("deps"), new ReplayState(SECRET));
        Files.createDirectories(temp.resolve("work"));
        Files.writeString(temp.resolve("work/open"), "");
        awaitReady(runtime);

        HttpResponse<String> direct = send(runtime, "GET", "/", null);
        String upgrade = rawStatusLine(runtime, "GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                + "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n");
        HttpResponse<String> replayed = send(runtime, "POST", "/x", "b", "fly-replay-src", "instance=1;state=" + SECRET);

        assertThat(direct.statusCode()).isEqualTo(403);
        assertThat(upgrade).isEqualTo("HTTP/1.1 403 Forbidden");
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body()).startsWith("POST /x host=");
    }

    @Test
    void aSecondProjectWithTheSameLockfileDoesNotRunNpm() throws Exception {
        Path store = temp.resolve("deps");
        // two at once on an empty store: one installs, the other waits for it and reuses the entry
        PreviewRuntime first = start("with-dependency", "first", store, null);
        PreviewRuntime second = start("with-dependency", "second", store, null);
        List<String> details = List.of(awaitReady(first).check(Health.INSTALL).detail(), awaitReady(second).check(Health.INSTALL).detail());

        assertThat(details).filteredOn(detail -> detail.startsWith("installed with npm ci into store entry ")).hasSize(1);
        assertThat(details).filteredOn(detail -> detail.endsWith(", npm did not run")).hasSize(1);
        assertThat(logOf(0) + logOf(1)).containsOnlyOnce("reused=false").containsOnlyOnce("reused=true")
                .contains("msg=\"npm ci output\" line=\"added 1 package");

        PreviewRuntime third = start("with-dependency", "third", store, null);
        Health.Snapshot ready = awaitReady(third);
        String key = DependencyStore.key(temp.resolve("third"));
        assertThat(ready.check(Health.INSTALL).detail())
                .isEqualTo("prepared dependencies reused from store entry " + key.substring(0, 12) + ", npm did not run");
        assertThat(logOf(2)).doesNotContain("npm ci output");
        assertThat(send(third, "GET", "/", null).body()).isEqualTo("one minute is 60000 ms\n");
        // its own tree of directories, files shared with the store
        Path linked = temp.resolve("third/node_modules/ms/index.js");
        Path stored = store.resolve(key).resolve("node_modules/ms/index.js");
        assertThat(Files.getAttribute(linked, "unix:ino")).isEqualTo(Files.getAttribute(stored, "unix:ino"));
        assertThat(Files.isSameFile(temp.resolve("third/node_modules"), store.resolve(key).resolve("node_modules"))).isFalse();
        try (Stream<Path> entries = Files.list(store)) {
            assertThat(entries.map(path -> path.getFileName().toString())).as("no install left half-done")
                    .containsExactlyInAnyOrder(key, key + ".lock");
        }
    }

    @Test
    void aFailedInstallFailsHealthWithNpmsExitCodeAndTheTailOfItsOutput() throws Exception {
        PreviewRuntime runtime = start("failing-install", "work");

        Health.Snapshot failed = awaitEnd(runtime);

        assertThat(failed.status()).isEqualTo(Health.Status.FAILED);
        Health.Check install = failed.check(Health.INSTALL);
        assertThat(install.status()).isEqualTo(Health.CheckStatus.FAILED);
        assertThat(install.detail()).startsWith("npm install failed with exit code 1; last output:\n")
                .contains("No matching version found for ms@999.0.0");
        assertThat(install.millis()).isNotNull();
        assertThat(failed.check(Health.DEV_SERVER).status()).isEqualTo(Health.CheckStatus.PENDING);
        assertThat(send(runtime, "GET", "/health", null).body()).contains("\"name\":\"install\",\"status\":\"failed\"");
    }

    @Test
    void aDevServerThatExitsBeforeItsFirstPageFailsHealthWithItsExitCodeAndOutput() throws Exception {
        PreviewRuntime runtime = start("exits-early", "work");

        Health.Snapshot failed = awaitEnd(runtime);

        assertThat(failed.status()).isEqualTo(Health.Status.FAILED);
        assertThat(failed.check(Health.DEV_SERVER).detail())
                .startsWith("the dev server exited with code 7 before its first page; last output:\n")
                .contains("cannot start: no config");
    }

    @Test
    void aDevServerThatExitsAfterItWasReadyTurnsHealthFailed() throws Exception {
        PreviewRuntime runtime = start("node-server", "work");
        Files.createDirectories(temp.resolve("work"));
        Files.writeString(temp.resolve("work/open"), "");
        awaitReady(runtime);

        assertThat(send(runtime, "GET", "/exit", null).body()).isEqualTo("bye\n");

        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.health().status() == Health.Status.FAILED);
        assertThat(runtime.health().check(Health.DEV_SERVER).detail())
                .startsWith("the dev server exited with code 3 after it was ready; last output:\n");
    }

    @Test
    void closingTheRuntimeEndsTheDevServersWholeProcessTree() throws Exception {
        PreviewRuntime runtime = start("node-server", "work");
        Files.createDirectories(temp.resolve("work"));
        Files.writeString(temp.resolve("work/open"), "");
        awaitReady(runtime);
        ProcessHandle npm = ProcessHandle.of(runtime.devServer().process().pid()).orElseThrow();
        List<ProcessHandle> tree = new ArrayList<>(npm.descendants().toList());
        tree.add(npm);
        assertThat(tree).as("npm, and the node it started").hasSizeGreaterThanOrEqualTo(2)
                .anySatisfy(process -> assertThat(process.info().commandLine().orElse("")).contains("server.js"));

        runtime.close();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(tree).noneMatch(ProcessHandle::isAlive));
    }

    @Test
    void closingTheRuntimeDuringTheInstallEndsNpm() throws Exception {
        PreviewRuntime runtime = start("with-dependency", "work");
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(10)).until(() -> ProcessHandle.current().descendants()
                .anyMatch(process -> process.info().commandLine().orElse("").contains("npm")));
        List<ProcessHandle> npm = ProcessHandle.current().descendants().toList();

        runtime.close();

        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(npm).noneMatch(ProcessHandle::isAlive));
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            try (Stream<Path> entries = Files.list(temp.resolve("deps"))) {
                assertThat(entries.map(path -> path.getFileName().toString())).as("no half-done install left")
                        .allMatch(name -> name.endsWith(".lock"));
            }
        });
    }

    @Test
    void aViteProjectServesItsPageAndItsHmrWebSocketThroughTheFront() throws Exception {
        PreviewRuntime runtime = start("vite", "work");
        Health.Snapshot ready = awaitReady(runtime);
        assertThat(ready.check(Health.DEV_SERVER).detail()).endsWith(", with its 2 module scripts");

        HttpResponse<String> page = send(runtime, "GET", "/", null);
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("hello from vite", "/@vite/client");
        HttpResponse<String> client = send(runtime, "GET", "/@vite/client", null);
        Matcher token = Pattern.compile("wsToken = \"([^\"]+)\"").matcher(client.body());
        assertThat(token.find()).as("Vite's client names its WebSocket token").isTrue();

        List<String> messages = new CopyOnWriteArrayList<>();
        WebSocket socket = http.newWebSocketBuilder().subprotocols("vite-hmr")
                .buildAsync(URI.create("ws://127.0.0.1:" + runtime.port() + "/?token=" + token.group(1)), new WebSocket.Listener() {
                    @Override
                    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
                        messages.add(data.toString());
                        webSocket.request(1);
                        return CompletableFuture.completedFuture(null);
                    }
                }).get(30, TimeUnit.SECONDS);
        try {
            await().atMost(Duration.ofSeconds(30)).until(() -> messages.stream().anyMatch(m -> m.contains("\"type\":\"connected\"")));
        } finally {
            socket.abort();
        }
    }
}
