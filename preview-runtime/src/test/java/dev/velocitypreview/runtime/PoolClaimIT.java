package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import com.sun.net.httpserver.HttpServer;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.EditOutcome;
import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;

/**
 * A warm pool's machine of the react template with its real Vite dev server (npm ci, npm run dev): it warms up on the
 * template's files, serving nothing but its health, and a claim brings the project's own {@code src/App.jsx}, which the
 * running dev server serves from then on under the session's prefix.
 */
class PoolClaimIT {

    private static final Duration INSTALL_TIMEOUT = Duration.ofMinutes(5);
    private static final Duration DEV_START_TIMEOUT = Duration.ofMinutes(3);
    /** The runtime's own bounds and a minute more: the runtime, not this wait, decides that a start failed. */
    private static final Duration STARTUP = INSTALL_TIMEOUT.plus(DEV_START_TIMEOUT).plusMinutes(1);
    private static final String TOKEN = "pool-claim-token-0123456789abcdef";
    private static final List<String> TEMPLATE = List.of("index.html", "package.json", "package-lock.json",
            "vite.config.js", "src/App.jsx", "src/main.jsx", "src/index.css");
    private static final String TEMPLATE_TEXT = "Hello from React";

    /** One store for the class: the first runtime installs the template's dependencies, the next reuses them. */
    @TempDir
    static Path store;

    @TempDir
    Path temp;

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(2)).build();
    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final List<PreviewRuntime> started = new ArrayList<>();

    @BeforeAll
    static void npmIsOnThePath() throws Exception {
        Npm.requireOnPath();
    }

    private final List<HttpServer> servers = new ArrayList<>();

    @AfterEach
    void stop() {
        started.forEach(PreviewRuntime::close);
        servers.forEach(server -> server.stop(0));
    }

    /** A pooled runtime of the react template, warm: its dev server answered its first page. */
    private PreviewRuntime startWarm() throws IOException {
        List<Bundles.Entry> entries = new ArrayList<>();
        for (String file : TEMPLATE) {
            entries.add(Bundles.Entry.file(file, template(file)));
        }
        Path bundle = Bundles.writePooled(temp.resolve("bundle.json"), "react-test", entries);
        RuntimeOptions options = new RuntimeOptions(0, "127.0.0.1", temp.resolve("work"), bundle, null, null,
                new PoolToken(TOKEN), FileLimits.DEFAULT, null,
                new RuntimeOptions.DevOptions(store, "npm", INSTALL_TIMEOUT, DEV_START_TIMEOUT, null), null);
        PreviewRuntime runtime = PreviewRuntime.start(options, new PrintStream(logs, true, StandardCharsets.UTF_8), task -> {
            Thread thread = new Thread(task, "materializer-pooled");
            thread.setDaemon(true);
            thread.start();
        });
        started.add(runtime);
        await().atMost(STARTUP).pollInterval(Duration.ofMillis(100))
                .until(() -> runtime.health().status() != Health.Status.STARTING);
        assertThat(runtime.health().status()).as("health: %s", new String(runtime.health().json(), StandardCharsets.UTF_8))
                .isEqualTo(Health.Status.READY);
        assertThat(runtime.health().check(Health.DEV_SERVER).detail()).as("the warm-up probe went through the front")
                .endsWith(", with its 2 module scripts");
        return runtime;
    }

    private static String template(String file) throws IOException {
        try (InputStream in = PoolClaimIT.class.getResourceAsStream("/templates/react/" + file)) {
            if (in == null) {
                throw new IOException("no resource /templates/react/" + file + " (the templates module is a test dependency)");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    /** The project as the provisioner claims with it: the template's files by version, its own App.jsx in full. */
    private static MachineClaim claim(UUID session, String app) throws IOException {
        List<SyncedFile> files = new ArrayList<>();
        for (String file : TEMPLATE) {
            String content = file.equals("src/App.jsx") ? app : template(file);
            String sha256 = HeldFiles.sha256(HeldFiles.utf8(content));
            files.add(new SyncedFile(file, 1, sha256, file.equals("src/App.jsx") ? content : null));
        }
        return new MachineClaim(session, UUID.randomUUID(), new SyncResponse(files, List.of()), null, null, null);
    }

    private HttpResponse<String> send(PreviewRuntime runtime, String method, String path, byte[] body, String... headers)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + runtime.port() + path))
                .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body))
                .timeout(Duration.ofSeconds(60));
        if (headers.length > 0) {
            request.headers(headers);
        }
        return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> claim(PreviewRuntime runtime, MachineClaim claim) throws Exception {
        return send(runtime, "POST", PoolClaim.PATH, EditCodec.encodeClaim(claim), "Authorization", "Bearer " + TOKEN,
                "Content-Type", "application/json");
    }

    @Test
    void aClaimOfAWarmReactMachineHasItsDevServerServeTheProjectsComponent() throws Exception {
        PreviewRuntime runtime = startWarm();
        UUID session = UUID.randomUUID();
        assertThat(send(runtime, "GET", "/", null).statusCode()).as("pooled: nothing served before the claim").isEqualTo(403);
        assertThat(send(runtime, "GET", "/src/App.jsx", null).statusCode()).isEqualTo(403);
        String app = template("src/App.jsx").replace(TEMPLATE_TEXT, "Hello from the claimed project");

        long started = System.nanoTime();
        HttpResponse<String> claimed = claim(runtime, claim(session, app));
        long answered = System.nanoTime();

        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
        assertThat(claimed.body()).isEqualTo("{\"sessionId\":\"" + session + "\",\"written\":1,\"deleted\":0,\"outcome\":\"applied\"}");
        String prefix = "/s/" + session;
        HttpResponse<String> page = send(runtime, "GET", prefix + "/", null);
        long paged = System.nanoTime();
        assertThat(page.statusCode()).isEqualTo(200);
        assertThat(page.body()).contains("/@vite/client", "/src/main.jsx");
        HttpResponse<String> module = send(runtime, "GET", prefix + "/src/App.jsx", null);
        long moduled = System.nanoTime();
        // figures for the report, never asserted: the machine is shared
        System.out.printf("claim timing: claim answered %d ms, then page %d ms, then App.jsx %d ms%n",
                TimeUnit.NANOSECONDS.toMillis(answered - started), TimeUnit.NANOSECONDS.toMillis(paged - answered),
                TimeUnit.NANOSECONDS.toMillis(moduled - paged));
        logs.toString(StandardCharsets.UTF_8).lines().filter(line -> line.contains("claim"))
                .forEach(line -> System.out.println("claim timing: " + line));
        assertThat(module.statusCode()).isEqualTo(200);
        assertThat(module.body()).contains("Hello from the claimed project").doesNotContain(TEMPLATE_TEXT);
        assertThat(runtime.health().session()).isEqualTo(session.toString());
        assertThat(runtime.health().status()).isEqualTo(Health.Status.READY);
    }

    @Test
    void aClaimWhoseComponentDoesNotCompileIsAnsweredAndItsCompileErrorIsTheFirstSyncsResult() throws Exception {
        BlockingQueue<byte[]> syncs = new LinkedBlockingQueue<>();
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        servers.add(api);
        api.createContext("/machine/v1/sessions/", exchange -> {
            syncs.add(exchange.getRequestBody().readAllBytes());
            // gone: the loop stops after this first sync
            exchange.sendResponseHeaders(410, -1);
            exchange.close();
        });
        api.start();
        PreviewRuntime runtime = startWarm();
        UUID session = UUID.randomUUID();
        MachineClaim broken = claim(session, "export default function App() {\n  return <main><h1>broken</h1>\n}\n");
        URI syncUrl = URI.create("http://127.0.0.1:" + api.getAddress().getPort() + "/machine/v1/sessions/" + session + "/sync");

        HttpResponse<String> claimed = claim(runtime, new MachineClaim(session, broken.projectId(), broken.files(), syncUrl,
                "v1.sync-token", null));

        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
        assertThat(claimed.body()).as("answered once written, the check still to come")
                .isEqualTo("{\"sessionId\":\"" + session + "\",\"written\":1,\"deleted\":0,\"outcome\":\"applied\"}");
        byte[] first = syncs.poll(60, TimeUnit.SECONDS);
        assertThat(first).as("the first sync").isNotNull();
        assertThat(EditCodec.decodeRequest(first).results()).singleElement().satisfies(result -> {
            assertThat(result.outcome()).isEqualTo(EditOutcome.COMPILE_ERROR);
            assertThat(result.written()).contains(new FileVersion("src/App.jsx", 1));
            assertThat(result.error().file()).isEqualTo("src/App.jsx");
            assertThat(result.error().line()).isEqualTo(2);
        });
        await().atMost(Duration.ofSeconds(30)).until(() -> runtime.health().sync().status() == Health.SyncStatus.STOPPED);
        Health.Sync sync = runtime.health().sync();
        assertThat(sync.compileError()).isNotNull();
        assertThat(sync.compileError().file()).isEqualTo("src/App.jsx");
        assertThat(send(runtime, "GET", "/s/" + session + "/src/App.jsx", null).statusCode())
                .as("Vite answers the module's compile error").isEqualTo(500);
    }
}
