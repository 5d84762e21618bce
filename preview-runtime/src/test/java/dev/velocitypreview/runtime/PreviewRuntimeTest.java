package dev.velocitypreview.runtime;

import static dev.velocitypreview.runtime.Bundles.Entry.directory;
import static dev.velocitypreview.runtime.Bundles.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PreviewRuntimeTest {

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final List<PreviewRuntime> started = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(PreviewRuntime::close);
    }

    private PreviewRuntime start(Path bundle, Executor background) throws IOException {
        return start(bundle, background, null);
    }

    private PreviewRuntime start(Path bundle, Executor background, ReplayState replayState) throws IOException {
        RuntimeOptions options = new RuntimeOptions(0, "127.0.0.1", temp.resolve("work"), bundle,
                temp.resolve("port"), null, null, FileLimits.DEFAULT, replayState,
                new RuntimeOptions.DevOptions(temp.resolve("deps"), "npm", Duration.ofMinutes(5), Duration.ofMinutes(1), null), null);
        PreviewRuntime runtime = PreviewRuntime.start(options, new PrintStream(logs, true, StandardCharsets.UTF_8), background);
        started.add(runtime);
        return runtime;
    }

    private PreviewRuntime startReady(Bundles.Entry... entries) throws IOException {
        PreviewRuntime runtime = start(Bundles.write(temp.resolve("bundle.json"), entries), Runnable::run);
        assertThat(runtime.health().status()).isEqualTo(Health.Status.READY);
        return runtime;
    }

    private HttpResponse<String> get(PreviewRuntime runtime, String path) throws Exception {
        return send(runtime, "GET", path);
    }

    private HttpResponse<String> send(PreviewRuntime runtime, String method, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                .method(method, HttpRequest.BodyPublishers.noBody())
                .timeout(Duration.ofSeconds(5));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void healthIsStartingWhileTheFilesAreMaterializedAndReadyAfterwards() throws Exception {
        List<Runnable> pending = new ArrayList<>();
        PreviewRuntime runtime = start(Bundles.write(temp.resolve("bundle.json"), file("index.html", "<h1>hi</h1>")), pending::add);

        HttpResponse<String> starting = get(runtime, "/health");
        assertThat(starting.statusCode()).isEqualTo(503);
        assertThat(starting.body()).isEqualTo("{\"status\":\"starting\",\"session\":null,\"checks\":["
                + "{\"name\":\"files\",\"status\":\"running\",\"detail\":\"materializing\"},"
                + "{\"name\":\"install\",\"status\":\"pending\"},{\"name\":\"dev-server\",\"status\":\"pending\"}]}");
        assertThat(get(runtime, "/").statusCode()).isEqualTo(503);

        pending.forEach(Runnable::run);

        HttpResponse<String> ready = get(runtime, "/health");
        assertThat(ready.statusCode()).isEqualTo(200);
        assertThat(ready.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(ready.body()).matches("\\{\"status\":\"ready\",\"session\":\"" + Bundles.SESSION + "\",\"checks\":\\["
                + "\\{\"name\":\"files\",\"status\":\"ok\",\"detail\":\"1 file\",\"millis\":\\d+},"
                + "\\{\"name\":\"install\",\"status\":\"skipped\",\"detail\":\"no dev script in package.json: the files are served as they are\"},"
                + "\\{\"name\":\"dev-server\",\"status\":\"skipped\",\"detail\":\"no dev script in package.json: the files are served as they are\"}],"
                + "\"sync\":\\{\"status\":\"off\",\"detail\":\"no --sync-url and --sync-token\"}}");
    }

    @Test
    void theBoundPortIsWrittenToThePortFile() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "x"));

        assertThat(temp.resolve("port")).hasContent(Integer.toString(runtime.port()));
    }

    @Test
    void aRefusedFileFailsHealthWithTheReportNamingTheFile() throws Exception {
        PreviewRuntime runtime = start(Bundles.write(temp.resolve("bundle.json"),
                file("index.html", "x"), file("../etc/passwd", "root")), Runnable::run);

        HttpResponse<String> health = get(runtime, "/health");

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).matches("\\{\"status\":\"failed\",\"session\":null,\"checks\":\\[\\{\"name\":\"files\",\"status\":\"failed\","
                + "\"detail\":\"refused '\\.\\./etc/passwd': path leaves the work directory\",\"millis\":\\d+},"
                + "\\{\"name\":\"install\",\"status\":\"pending\"},\\{\"name\":\"dev-server\",\"status\":\"pending\"}]}");
        assertThat(get(runtime, "/index.html").statusCode()).isEqualTo(503);
        assertThat(logs.toString(StandardCharsets.UTF_8))
                .contains("level=error logger=preview-runtime msg=\"files refused\" detail=\"refused '../etc/passwd': path leaves the work directory\"");
    }

    @Test
    void aMalformedBundleFailsHealthWithTheReason() throws Exception {
        PreviewRuntime runtime = start(Bundles.raw(temp.resolve("bundle.json"), "{\"sessionId\": nope}"), Runnable::run);

        HttpResponse<String> health = get(runtime, "/health");

        assertThat(health.statusCode()).isEqualTo(503);
        assertThat(health.body()).contains("\"status\":\"failed\"", "\"detail\":\"bundle is not valid JSON: ");
    }

    @Test
    void theRootServesIndexHtml() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "<h1>hello</h1>"));

        HttpResponse<String> page = get(runtime, "/");

        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).isEqualTo("<h1>hello</h1>");
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/html; charset=utf-8");
    }

    @Test
    void filesAreServedWithTheirContentType() throws Exception {
        PreviewRuntime runtime = startReady(
                file("index.html", "<p>"), file("css/site.css", "p{}"), file("app.js", "1"), file("data.json", "{}"),
                file("logo.svg", "<svg/>"), file("img/pixel.png", "png"), file("README", "plain"));

        assertThat(get(runtime, "/css/site.css").headers().firstValue("Content-Type")).hasValue("text/css; charset=utf-8");
        assertThat(get(runtime, "/app.js").headers().firstValue("Content-Type")).hasValue("text/javascript; charset=utf-8");
        assertThat(get(runtime, "/data.json").headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(get(runtime, "/logo.svg").headers().firstValue("Content-Type")).hasValue("image/svg+xml");
        assertThat(get(runtime, "/img/pixel.png").headers().firstValue("Content-Type")).hasValue("image/png");
        assertThat(get(runtime, "/README").headers().firstValue("Content-Type")).hasValue("application/octet-stream");
        assertThat(get(runtime, "/css/site.css").body()).isEqualTo("p{}");
    }

    @Test
    void headAnswersWithTheLengthButNoBody() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "12345"));

        HttpResponse<String> head = send(runtime, "HEAD", "/index.html");

        assertThat(head.statusCode()).isEqualTo(200);
        assertThat(head.headers().firstValue("Content-Length")).hasValue("5");
        assertThat(head.body()).isEmpty();
    }

    @Test
    void directoriesServeTheirIndexAndAreNeverListed() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "root"), file("docs/index.html", "docs"),
                file("assets/a.css", "a"), directory("empty"));

        assertThat(get(runtime, "/docs/").body()).isEqualTo("docs");
        HttpResponse<String> withoutSlash = get(runtime, "/docs?x=1");
        assertThat(withoutSlash.statusCode()).isEqualTo(302);
        assertThat(withoutSlash.headers().firstValue("Location")).hasValue("./docs/?x=1");
        assertThat(get(runtime, "/assets/").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/empty/").statusCode()).isEqualTo(404);
    }

    @Test
    void missingFilesAre404() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "x"));

        assertThat(get(runtime, "/nope.js").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/index.html/child").statusCode()).isEqualTo(404);
    }

    @Test
    void nothingOutsideTheWorkDirectoryIsServed() throws Exception {
        Files.writeString(temp.resolve("secret.txt"), "secret");
        PreviewRuntime runtime = startReady(file("index.html", "x"));
        Files.createSymbolicLink(temp.resolve("work/link.txt"), temp.resolve("secret.txt"));
        Files.createSymbolicLink(temp.resolve("work/up"), temp);

        assertThat(get(runtime, "/%2e%2e/secret.txt").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/..%2fsecret.txt").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/..%5csecret.txt").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/link.txt").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/up/secret.txt").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/index.html%00.txt").statusCode()).isEqualTo(404);
    }

    @Test
    void onlyGetAndHeadAreAnswered() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "x"));

        HttpResponse<String> post = send(runtime, "POST", "/index.html");

        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void logLinesAreKeyValuePairsCarryingTheSessionId() throws Exception {
        startReady(file("index.html", "x"));

        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(logs.toString(StandardCharsets.UTF_8))
                .containsPattern("level=info logger=preview-runtime session=" + Bundles.SESSION
                        + " msg=\"files materialized\" project=" + Bundles.PROJECT + " files=1 directories=0 bytes=1 millis=\\d+"));
    }

    @Test
    void anInlineBase64BundleBecomesTheBundleFile() throws Exception {
        String json = "{\"sessionId\":\"s\",\"files\":[]}";
        java.util.Map<String, String> env = PreviewRuntime.withInlineBundle(java.util.Map.of(
                PreviewRuntime.INLINE_BUNDLE, java.util.Base64.getEncoder().encodeToString(json.getBytes())));
        assertThat(java.nio.file.Files.readString(java.nio.file.Path.of(env.get("PREVIEW_BUNDLE")))).isEqualTo(json);
    }

    @Test
    void anInlineBundleThatIsNotBase64IsRefusedByName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> PreviewRuntime.withInlineBundle(
                        java.util.Map.of(PreviewRuntime.INLINE_BUNDLE, "%%%not base64")))
                .hasMessage("PREVIEW_BUNDLE_B64 is not valid base64");
    }

    @Test
    void aReplayedPathUnderTheSessionsOwnPrefixIsServedAsThePathAfterIt() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "root"), file("docs/index.html", "docs"), file("app.js", "js"));
        String prefix = "/s/" + Bundles.SESSION;

        assertThat(get(runtime, prefix + "/").body()).isEqualTo("root");
        assertThat(get(runtime, prefix + "/app.js").body()).isEqualTo("js");
        assertThat(get(runtime, prefix + "/docs/").body()).isEqualTo("docs");
        HttpResponse<String> directory = get(runtime, prefix + "/docs?a=1");
        assertThat(directory.statusCode()).isEqualTo(302);
        assertThat(directory.headers().firstValue("Location")).hasValue("./docs/?a=1");
        assertThat(get(runtime, prefix + "/health").body()).startsWith("{\"status\":\"ready\"");
    }

    @Test
    void theSessionPrefixWithoutItsSlashIsRedirectedToIt() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "root"));

        HttpResponse<String> redirect = get(runtime, "/s/" + Bundles.SESSION + "?a=1&preview_token=v1.secret");

        assertThat(redirect.statusCode()).isEqualTo(308);
        assertThat(redirect.headers().firstValue("Location")).hasValue("/s/" + Bundles.SESSION + "/?a=1");
        assertThat(redirect.body()).doesNotContain("v1.secret");
    }

    @Test
    void anotherSessionsPrefixIsNotStripped() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "root"));

        assertThat(get(runtime, "/s/" + java.util.UUID.randomUUID() + "/").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/s/" + Bundles.SESSION.toUpperCase(java.util.Locale.ROOT) + "/").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/s/" + Bundles.SESSION + "x/").statusCode()).isEqualTo(404);
    }

    @Test
    void thePreviewTokenIsNeitherEchoedNorLogged() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "root"), file("docs/index.html", "docs"));

        HttpResponse<String> redirect = get(runtime, "/s/" + Bundles.SESSION + "/docs?preview_token=v1.secret&x=1&preview%5Ftoken=v1.other");
        HttpResponse<String> missing = get(runtime, "/nope?preview_token=v1.secret");

        assertThat(redirect.headers().firstValue("Location")).hasValue("./docs/?x=1");
        assertThat(redirect.body() + missing.body()).doesNotContain("v1.");
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain("v1.");
    }

    @Test
    void withAReplayStateOnlyRequestsCarryingItInFlyReplaySrcAreServed() throws Exception {
        String secret = "replay-state-0123456789abcdef0123456789";
        PreviewRuntime runtime = start(Bundles.write(temp.resolve("bundle.json"), file("index.html", "root")),
                Runnable::run, new ReplayState(secret));

        HttpResponse<String> direct = get(runtime, "/");
        HttpResponse<String> wrong = send(runtime, "GET", "/", "fly-replay-src",
                "instance=148ed193b95e89;region=ams;t=1716224856000;state=replay-state-0123456789abcdef012345678X");
        HttpResponse<String> prefixOnly = send(runtime, "GET", "/", "fly-replay-src",
                "instance=148ed193b95e89;state=" + secret.substring(0, 32));
        HttpResponse<String> replayed = send(runtime, "GET", "/s/" + Bundles.SESSION + "/", "Fly-Replay-Src",
                "instance=148ed193b95e89;region=ams;t=1716224856000;state=" + secret);

        assertThat(direct.statusCode()).isEqualTo(403);
        assertThat(direct.body()).isEqualTo("forbidden: this preview machine serves only requests the preview router"
                + " replays to it, and this one's fly-replay-src header carries no matching state\n");
        assertThat(wrong.statusCode()).isEqualTo(403);
        assertThat(prefixOnly.statusCode()).isEqualTo(403);
        assertThat(replayed.statusCode()).isEqualTo(200);
        assertThat(replayed.body()).isEqualTo("root");
        assertThat(get(runtime, "/health").statusCode()).isEqualTo(200);
        assertThat(get(runtime, "/s/" + Bundles.SESSION + "/health").statusCode()).as("health through a prefix is a replay").isEqualTo(403);
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(secret.substring(0, 20))
                .contains("level=warn logger=preview-runtime session=" + Bundles.SESSION
                        + " msg=\"request refused: not replayed by the router\" method=GET path=/");
    }

    @Test
    void everyRequestOnAKeptConnectionIsCheckedOnItsOwn() throws Exception {
        String secret = "replay-state-0123456789abcdef0123456789";
        PreviewRuntime runtime = start(Bundles.write(temp.resolve("bundle.json"), file("a.txt", "first"), file("b.txt", "second")),
                Runnable::run, new ReplayState(secret));

        String answers;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", runtime.port())) {
            socket.setSoTimeout(5_000);
            // pipelined: the second request has no replay state, the third asks to close
            socket.getOutputStream().write(("GET /a.txt HTTP/1.1\r\nHost: x\r\nfly-replay-src: state=" + secret + "\r\n\r\n"
                    + "GET /b.txt HTTP/1.1\r\nHost: x\r\n\r\n"
                    + "GET /b.txt HTTP/1.1\r\nHost: x\r\nfly-replay-src: state=" + secret + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            answers = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }

        assertThat(answers.split("(?=HTTP/1\\.1 )")).satisfiesExactly(
                first -> assertThat(first).startsWith("HTTP/1.1 200 OK\r\n").doesNotContain("Connection:").endsWith("\r\n\r\nfirst"),
                second -> assertThat(second).startsWith("HTTP/1.1 403 Forbidden\r\n").doesNotContain("second"),
                third -> assertThat(third).startsWith("HTTP/1.1 200 OK\r\n").contains("Connection: close\r\n").endsWith("second"));
    }

    @Test
    void anUnsupportedUpgradeIsServedAsAPlainRequest() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "root"));

        String answer;
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", runtime.port())) {
            socket.setSoTimeout(5_000);
            socket.getOutputStream().write(("GET / HTTP/1.1\r\nHost: x\r\nConnection: Upgrade, HTTP2-Settings\r\nUpgrade: h2c\r\n"
                    + "HTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.ISO_8859_1));
            answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        }

        // no 101: both requests answered as plain ones, on the same connection
        assertThat(answer.split("(?=HTTP/1\\.1 )")).hasSize(2)
                .allSatisfy(one -> assertThat(one).startsWith("HTTP/1.1 200 OK\r\n").endsWith("root"));
    }

    @Test
    void anOversizedRequestHeadIsRefused() throws Exception {
        PreviewRuntime runtime = startReady(file("index.html", "root"));

        HttpResponse<String> answer = send(runtime, "GET", "/", "X-Big", "x".repeat(40_000));

        assertThat(answer.statusCode()).isEqualTo(431);
    }

    @Test
    void aRuntimeGivenASyncEndpointStartsSyncingOnceReadyAndNeverLogsItsToken() throws Exception {
        int nothingListens;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            nothingListens = socket.getLocalPort();
        }
        RuntimeOptions options = new RuntimeOptions(0, "127.0.0.1", temp.resolve("work"),
                Bundles.write(temp.resolve("bundle.json"), file("index.html", "<h1>hi</h1>")), null, null, null, FileLimits.DEFAULT,
                null, RuntimeOptions.DevOptions.DEFAULT, new RuntimeOptions.SyncOptions(
                URI.create("http://127.0.0.1:" + nothingListens + "/machine/v1/sessions/" + Bundles.SESSION + "/sync"),
                "v1.sync-token-secret"));
        List<Runnable> pending = new ArrayList<>();
        PreviewRuntime runtime = PreviewRuntime.start(options, new PrintStream(logs, true, StandardCharsets.UTF_8), pending::add);
        started.add(runtime);
        assertThat(runtime.health().sync()).as("nothing known before the files").isNull();

        pending.forEach(Runnable::run);

        assertThat(runtime.health().status()).isEqualTo(Health.Status.READY);
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.health().sync().status() == Health.SyncStatus.RETRYING);
        assertThat(runtime.health().sync().detail()).startsWith("sync failed: ");
        assertThat(runtime.held().states()).extracting(dev.velocitypreview.core.edits.FileState::path).containsExactly("index.html");
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("msg=\"sync started\"").doesNotContain("sync-token-secret");
    }
}
