package dev.velocitypreview.runtime;

import static dev.velocitypreview.runtime.Bundles.Entry.file;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
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
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.EditOutcome;
import dev.velocitypreview.core.edits.FileState;
import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncRequest;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;

/** A warm pool's runtime on a static template: what it serves before its claim, the claim, and what it serves after. */
class PooledRuntimeTest {

    private static final String TOKEN = "pool-claim-token-0123456789abcdef";
    private static final String POOL = "static-3f1c";
    private static final UUID SESSION = UUID.randomUUID();
    private static final UUID PROJECT = UUID.randomUUID();
    private static final String SECRET = "replay-state-0123456789abcdef0123456789";

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final List<PreviewRuntime> started = new ArrayList<>();
    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(PreviewRuntime::close);
        servers.forEach(server -> server.stop(0));
    }

    private PreviewRuntime startPooled(Executor background, Bundles.Entry... template) throws IOException {
        Path bundle = Bundles.writePooled(temp.resolve("bundle.json"), POOL, List.of(template));
        return start(bundle, new PoolToken(TOKEN), background);
    }

    private PreviewRuntime startPooled() throws IOException {
        PreviewRuntime runtime = startPooled(Runnable::run, file("index.html", "<h1>template</h1>"),
                file("about.html", "about the template"), file("style.css", "body{}"));
        assertThat(runtime.health().status()).isEqualTo(Health.Status.READY);
        return runtime;
    }

    private PreviewRuntime start(Path bundle, PoolToken token, Executor background) throws IOException {
        RuntimeOptions options = new RuntimeOptions(0, "127.0.0.1", temp.resolve("work"), bundle, null, null, token,
                FileLimits.DEFAULT, null, new RuntimeOptions.DevOptions(temp.resolve("deps"), "npm", Duration.ofMinutes(5),
                Duration.ofMinutes(1), null), null);
        PreviewRuntime runtime = PreviewRuntime.start(options, new PrintStream(logs, true, StandardCharsets.UTF_8), background);
        started.add(runtime);
        return runtime;
    }

    /** The project: index.html changed, style.css as the template has it, new.html added, about.html gone. */
    private static MachineClaim claim(UUID session) {
        return new MachineClaim(session, PROJECT, new SyncResponse(List.of(
                synced("index.html", 3, "<h1>project</h1>"),
                new SyncedFile("style.css", 2, sha256("body{}"), null),
                synced("new.html", 1, "a page of the project")), List.of("about.html")), null, null, null);
    }

    private static SyncedFile synced(String path, long version, String content) {
        return new SyncedFile(path, version, sha256(content), content);
    }

    private static String sha256(String content) {
        return HeldFiles.sha256(HeldFiles.utf8(content));
    }

    private HttpResponse<String> postClaim(PreviewRuntime runtime, byte[] body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + PoolClaim.PATH))
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).header("Content-Type", "application/json")
                .timeout(Duration.ofSeconds(30));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> claimWithToken(PreviewRuntime runtime, MachineClaim claim) throws Exception {
        return postClaim(runtime, EditCodec.encodeClaim(claim), "Authorization", "Bearer " + TOKEN);
    }

    private HttpResponse<String> get(PreviewRuntime runtime, String path, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                .GET().timeout(Duration.ofSeconds(5));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    @Test
    void beforeItsClaimAPooledRuntimeIsReadyAndServesNothingButHealth() throws Exception {
        PreviewRuntime runtime = startPooled();

        HttpResponse<String> health = get(runtime, "/health");
        HttpResponse<String> page = get(runtime, "/");
        HttpResponse<String> underAPrefix = get(runtime, "/s/" + SESSION + "/index.html");

        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).startsWith("{\"status\":\"ready\",\"session\":null,\"checks\":[")
                .contains("\"sync\":{\"status\":\"waiting\",\"detail\":\"a warm pool's machine: live edits come with its claim\"}");
        assertThat(page.statusCode()).isEqualTo(403);
        assertThat(page.headers().firstValue("Content-Type")).hasValue("text/plain; charset=utf-8");
        assertThat(page.body()).isEqualTo("forbidden: this machine is in a warm pool and serves no session yet; only"
                + " /health and its claim are answered\n");
        assertThat(underAPrefix.statusCode()).isEqualTo(403);
        assertThat(get(runtime, "/index.html").body()).doesNotContain("template");
        assertThat(http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + "/health"))
                .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString())
                .statusCode()).isEqualTo(200);
        assertThat(logs.toString(StandardCharsets.UTF_8)).contains("msg=\"files materialized\" pool=" + POOL + " files=3")
                .contains("msg=warm detail=\"waiting for a claim\"");
    }

    @Test
    void aClaimWithoutTheMachinesTokenIsRefusedAndChangesNothing() throws Exception {
        PreviewRuntime runtime = startPooled();
        byte[] body = EditCodec.encodeClaim(claim(SESSION));

        HttpResponse<String> none = postClaim(runtime, body);
        HttpResponse<String> wrong = postClaim(runtime, body, "Authorization", "Bearer pool-claim-token-0123456789abcdeX");
        HttpResponse<String> basic = postClaim(runtime, body, "Authorization", "Basic " + TOKEN);

        assertThat(List.of(none, wrong, basic)).allSatisfy(answer -> {
            assertThat(answer.statusCode()).isEqualTo(401);
            assertThat(answer.headers().firstValue("WWW-Authenticate")).hasValue("Bearer");
            assertThat(answer.headers().firstValue("Content-Type")).hasValue("application/json");
        });
        assertThat(none.body()).isEqualTo("{\"error\":\"unauthorized\",\"detail\":\"a claim needs this machine's pool"
                + " token as its bearer token\"}");
        assertThat(temp.resolve("work/index.html")).hasContent("<h1>template</h1>");
        assertThat(get(runtime, "/s/" + SESSION + "/").statusCode()).isEqualTo(403);
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain(TOKEN);
    }

    @Test
    void aClaimAppliesTheProjectsFilesAndTheMachineServesItsSessionFromThenOn() throws Exception {
        PreviewRuntime runtime = startPooled();

        HttpResponse<String> claimed = claimWithToken(runtime, claim(SESSION));

        assertThat(claimed.statusCode()).isEqualTo(200);
        assertThat(claimed.headers().firstValue("Content-Type")).hasValue("application/json");
        assertThat(claimed.body()).isEqualTo("{\"sessionId\":\"" + SESSION + "\",\"written\":2,\"deleted\":1,\"outcome\":\"applied\"}");
        String prefix = "/s/" + SESSION;
        assertThat(get(runtime, prefix + "/").body()).isEqualTo("<h1>project</h1>");
        assertThat(get(runtime, prefix + "/new.html").body()).isEqualTo("a page of the project");
        assertThat(get(runtime, prefix + "/style.css").body()).isEqualTo("body{}");
        assertThat(get(runtime, prefix + "/about.html").statusCode()).isEqualTo(404);
        assertThat(get(runtime, "/health").body()).startsWith("{\"status\":\"ready\",\"session\":\"" + SESSION + "\",")
                .contains("\"sync\":{\"status\":\"off\",\"detail\":\"the claim brought no sync url and token\"}");
        assertThat(runtime.held().states()).extracting(FileState::path, FileState::version).containsExactlyInAnyOrder(
                org.assertj.core.api.Assertions.tuple("index.html", 3L), org.assertj.core.api.Assertions.tuple("style.css", 2L),
                org.assertj.core.api.Assertions.tuple("new.html", 1L));
        assertThat(logs.toString(StandardCharsets.UTF_8)).containsPattern("session=" + SESSION + " msg=\"claim applied\" project="
                + PROJECT + " written=2 versions=3 deleted=1 check=pending readMicros=\\d+ writeMicros=\\d+ serveMicros=\\d+");

        // a provisioner that crashed sends its claim again: answered as the first, nothing written again
        Files.writeString(temp.resolve("work/index.html"), "<h1>edited since</h1>");
        HttpResponse<String> again = claimWithToken(runtime, claim(SESSION));

        assertThat(again.statusCode()).isEqualTo(200);
        assertThat(again.body()).isEqualTo(claimed.body());
        assertThat(get(runtime, prefix + "/").body()).isEqualTo("<h1>edited since</h1>");

        UUID another = UUID.randomUUID();
        HttpResponse<String> other = claimWithToken(runtime, claim(another));

        assertThat(other.statusCode()).isEqualTo(409);
        assertThat(other.body()).isEqualTo("{\"error\":\"claimed\",\"detail\":\"this machine was claimed by another session\"}");
        assertThat(get(runtime, "/s/" + another + "/").statusCode()).as("never the other session's").isEqualTo(404);
        assertThat(get(runtime, prefix + "/").body()).isEqualTo("<h1>edited since</h1>");
    }

    @Test
    void aMalformedClaimIsRefusedWithTheReason() throws Exception {
        PreviewRuntime runtime = startPooled();

        HttpResponse<String> notJson = postClaim(runtime, "{\"sessionId\":".getBytes(StandardCharsets.UTF_8),
                "Authorization", "Bearer " + TOKEN);
        HttpResponse<String> noSession = postClaim(runtime, ("{\"projectId\":\"" + PROJECT + "\",\"files\":{\"files\":[],"
                + "\"deleted\":[]}}").getBytes(StandardCharsets.UTF_8), "Authorization", "Bearer " + TOKEN);
        HttpResponse<String> badReplay = claimWithToken(runtime, claim(SESSION).withReplayState("short"));

        assertThat(List.of(notJson, noSession, badReplay)).allSatisfy(answer -> assertThat(answer.statusCode()).isEqualTo(400));
        assertThat(notJson.body()).startsWith("{\"error\":\"malformed\",\"detail\":\"machine claim: not valid JSON: ");
        assertThat(noSession.body()).isEqualTo("{\"error\":\"malformed\",\"detail\":\"machine claim: sessionId is required\"}");
        assertThat(badReplay.body()).isEqualTo("{\"error\":\"malformed\",\"detail\":\"machine claim: replay state must be"
                + " 32 to 256 of A-Z a-z 0-9 _ -, got 5 characters\"}");
        assertThat(claimWithToken(runtime, claim(SESSION)).statusCode()).as("still unclaimed").isEqualTo(200);
    }

    @Test
    void aClaimLongerThanTheRuntimeReadsIsRefusedUnreadAndAChunkedOneIsRead() throws Exception {
        PreviewRuntime runtime = startPooled();
        long bound = 2 * FileLimits.DEFAULT.maxTotalBytes() + (1 << 20);

        String tooLong = raw(runtime, "POST " + PoolClaim.PATH + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nContent-Length: " + (bound + 1) + "\r\n\r\n");

        assertThat(tooLong).startsWith("HTTP/1.1 400 Bad Request\r\n").contains("Connection: close\r\n")
                .endsWith("{\"error\":\"malformed\",\"detail\":\"the claim is longer than " + bound
                        + " bytes, more than the runtime's file limits allow\"}");

        String body = new String(EditCodec.encodeClaim(claim(SESSION)), StandardCharsets.UTF_8);
        int half = body.length() / 2;
        String chunked = raw(runtime, "POST " + PoolClaim.PATH + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + TOKEN
                + "\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n"
                + Integer.toHexString(half) + "\r\n" + body.substring(0, half) + "\r\n"
                + Integer.toHexString(body.length() - half) + "\r\n" + body.substring(half) + "\r\n0\r\n\r\n");

        assertThat(chunked).startsWith("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\n")
                .endsWith("{\"sessionId\":\"" + SESSION + "\",\"written\":2,\"deleted\":1,\"outcome\":\"applied\"}");
    }

    /** One request written as it is (the body is ASCII), and every byte the runtime answers until it closes. */
    private static String raw(PreviewRuntime runtime, String request) throws IOException {
        try (java.net.Socket socket = new java.net.Socket("127.0.0.1", runtime.port())) {
            socket.setSoTimeout(30_000);
            socket.getOutputStream().write(request.getBytes(StandardCharsets.UTF_8));
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    @Test
    void aRuntimeOutsidePoolModeTakesNoClaim() throws Exception {
        PreviewRuntime runtime = start(Bundles.write(temp.resolve("bundle.json"), file("index.html", "session")), null,
                Runnable::run);

        HttpResponse<String> answer = claimWithToken(runtime, claim(SESSION));

        assertThat(answer.statusCode()).isEqualTo(404);
        assertThat(answer.body()).isEqualTo("{\"error\":\"not_pooled\",\"detail\":\"this machine is not in a warm pool:"
                + " it takes no claim\"}");
        assertThat(get(runtime, "/").body()).isEqualTo("session");
    }

    @Test
    void aClaimBeforeTheRuntimeIsWarmIsAskedToComeBack() throws Exception {
        List<Runnable> pending = new ArrayList<>();
        PreviewRuntime runtime = startPooled(pending::add, file("index.html", "<h1>template</h1>"),
                file("about.html", "about"), file("style.css", "body{}"));

        HttpResponse<String> early = claimWithToken(runtime, claim(SESSION));

        assertThat(early.statusCode()).isEqualTo(503);
        assertThat(early.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(early.body()).isEqualTo("{\"error\":\"not_warm\",\"detail\":\"the machine is not warm yet: starting\"}");

        pending.forEach(Runnable::run);

        assertThat(claimWithToken(runtime, claim(SESSION)).statusCode()).isEqualTo(200);
    }

    @Test
    void aClaimThatChangesTheDependenciesIsRefusedAndTheMachineStaysUnclaimedAndFailed() throws Exception {
        String manifest = "{\"name\":\"site\",\"private\":true}";
        PreviewRuntime runtime = startPooled(Runnable::run, file("index.html", "<h1>template</h1>"), file("package.json", manifest));
        assertThat(runtime.health().status()).isEqualTo(Health.Status.READY);
        MachineClaim sameManifest = new MachineClaim(SESSION, PROJECT, new SyncResponse(List.of(
                synced("package.json", 2, manifest), synced("index.html", 2, "<h1>project</h1>"),
                synced("package-lock.json", 1, "{\"lockfileVersion\":3}")), List.of()), null, null, null);

        HttpResponse<String> refused = claimWithToken(runtime, sameManifest);

        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(refused.body()).isEqualTo("{\"error\":\"refused\",\"detail\":\"refused 'package-lock.json': the claim"
                + " changes the dependencies this machine was prepared with, and a running preview does not install them"
                + " again\"}");
        assertThat(temp.resolve("work/index.html")).as("nothing written").hasContent("<h1>template</h1>");
        assertThat(runtime.health().status()).isEqualTo(Health.Status.FAILED);
        assertThat(runtime.health().check(Health.FILES).detail()).isEqualTo("claim of session " + SESSION
                + " refused: refused 'package-lock.json': the claim changes the dependencies this machine was prepared"
                + " with, and a running preview does not install them again");
        assertThat(get(runtime, "/s/" + SESSION + "/").statusCode()).as("unclaimed").isEqualTo(403);
        HttpResponse<String> again = claimWithToken(runtime, claim(SESSION));
        assertThat(again.statusCode()).isEqualTo(422);
        assertThat(again.body()).startsWith("{\"error\":\"failed\",\"detail\":\"the machine failed and serves no session: files: ");
    }

    @Test
    void aClaimedMachineTakesTheClaimsReplayStateAndReportsTheClaimWithItsFirstSync() throws Exception {
        BlockingQueue<byte[]> syncs = new LinkedBlockingQueue<>();
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        servers.add(api);
        api.createContext("/machine/v1/sessions/" + SESSION + "/sync", exchange -> {
            syncs.add(exchange.getRequestBody().readAllBytes());
            // gone: the loop stops after this first sync
            exchange.sendResponseHeaders(410, -1);
            exchange.close();
        });
        api.start();
        PreviewRuntime runtime = startPooled();
        MachineClaim claim = new MachineClaim(SESSION, PROJECT, claim(SESSION).files(),
                URI.create("http://127.0.0.1:" + api.getAddress().getPort() + "/machine/v1/sessions/" + SESSION + "/sync"),
                "v1.sync-token-secret", SECRET);

        assertThat(claimWithToken(runtime, claim).statusCode()).isEqualTo(200);

        byte[] first = syncs.poll(30, TimeUnit.SECONDS);
        assertThat(first).as("the first sync").isNotNull();
        SyncRequest request = EditCodec.decodeRequest(first);
        assertThat(request.files()).extracting(FileState::path, FileState::version).containsExactlyInAnyOrder(
                org.assertj.core.api.Assertions.tuple("index.html", 3L), org.assertj.core.api.Assertions.tuple("style.css", 2L),
                org.assertj.core.api.Assertions.tuple("new.html", 1L));
        assertThat(request.results()).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(EditOutcome.APPLIED);
            assertThat(result.written()).containsExactly(new FileVersion("index.html", 3), new FileVersion("style.css", 2),
                    new FileVersion("new.html", 1));
            assertThat(result.deleted()).containsExactly("about.html");
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.health().sync().status() == Health.SyncStatus.STOPPED);

        String prefix = "/s/" + SESSION + "/";
        assertThat(get(runtime, prefix).statusCode()).as("not replayed by the router").isEqualTo(403);
        assertThat(get(runtime, prefix, "fly-replay-src", "instance=1;state=" + SECRET).body()).isEqualTo("<h1>project</h1>");
        assertThat(get(runtime, "/health").statusCode()).isEqualTo(200);
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain("sync-token-secret").doesNotContain(SECRET.substring(0, 20));
    }
}
