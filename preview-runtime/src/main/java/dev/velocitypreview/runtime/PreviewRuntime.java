package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Locale;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.runtime.FileMaterializer.Materialized;

/**
 * The process inside every preview machine: listens first (so the driver learns the port at
 * once and {@code /health} can say "starting"), then materializes the project's files and serves
 * them. A bundle that cannot be materialized leaves the process up, reporting why on
 * {@code /health}, so the provisioner can fail the session with that message.
 *
 * <p>A plain main on the JDK's HTTP server, no framework: a preview must start in a fraction of a second.
 */
public final class PreviewRuntime implements AutoCloseable {

    static final String HEALTH_PATH = "/health";
    static final String INLINE_BUNDLE = "PREVIEW_BUNDLE_B64";
    private static final int HTTP_THREADS = 8;

    static {
        // the JDK server writes headers and body separately: with Nagle on, a small response waits for the
        // client's delayed ACK (~40 ms on Linux) on a keep-alive connection. Read once, when the server
        // classes load, so it is set before the first HttpServer is made.
        if (System.getProperty("sun.net.httpserver.nodelay") == null) {
            System.setProperty("sun.net.httpserver.nodelay", "true");
        }
    }

    private final RuntimeOptions options;
    private final RuntimeLog log;
    private final Health health = new Health();
    private final HttpServer server;
    private final ExecutorService httpThreads;
    /** Null until the files are in place. */
    private volatile PreviewServer project;
    /** The session served: from the options, else from the bundle once read; null until known. */
    private volatile String session;

    private PreviewRuntime(RuntimeOptions options, RuntimeLog log) throws IOException {
        this.options = options;
        this.log = log;
        this.session = options.sessionId();
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getByName(options.bind()), options.port()), 0);
        AtomicInteger threads = new AtomicInteger();
        this.httpThreads = Executors.newFixedThreadPool(HTTP_THREADS, task -> {
            Thread thread = new Thread(task, "preview-http-" + threads.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        });
        server.setExecutor(httpThreads);
        server.createContext("/", this::handle);
    }

    public static void main(String[] args) {
        RuntimeOptions options;
        try {
            options = RuntimeOptions.parse(List.of(args), withInlineBundle(System.getenv()));
        } catch (IOException e) {
            System.err.println("preview-runtime: cannot write the bundle from " + INLINE_BUNDLE + ": " + e);
            System.exit(1);
            return;
        } catch (IllegalArgumentException e) {
            System.err.println("preview-runtime: " + e.getMessage());
            System.err.print(RuntimeOptions.usage());
            System.exit(2);
            return;
        }
        try {
            PreviewRuntime runtime = start(options, System.out, task -> {
                Thread materializer = new Thread(task, "preview-materializer");
                materializer.setDaemon(true);
                materializer.start();
            });
            Runtime.getRuntime().addShutdownHook(new Thread(runtime::close, "preview-runtime-shutdown"));
        } catch (IOException e) {
            System.err.println("preview-runtime: cannot start: " + e);
            System.exit(1);
        }
    }

    /**
     * Machines that cannot be handed a file (Fly Machines) get their bundle base64-encoded in
     * {@value #INLINE_BUNDLE}; it is written to a file and used as {@code PREVIEW_BUNDLE}.
     */
    static Map<String, String> withInlineBundle(Map<String, String> env) throws IOException {
        String inline = env.get(INLINE_BUNDLE);
        if (inline == null || inline.isEmpty() || env.containsKey(RuntimeOptions.variable("bundle"))) {
            return env;
        }
        byte[] bundle;
        try {
            bundle = Base64.getDecoder().decode(inline.strip());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(INLINE_BUNDLE + " is not valid base64");
        }
        Path file = Files.createTempFile("preview-bundle-", ".json");
        Files.write(file, bundle);
        Map<String, String> withFile = new HashMap<>(env);
        withFile.put(RuntimeOptions.variable("bundle"), file.toString());
        return withFile;
    }

    /**
     * Listens, writes the port file, then hands the materialization to {@code background}, so
     * that {@code /health} answers "starting" meanwhile.
     */
    static PreviewRuntime start(RuntimeOptions options, PrintStream logOut, Executor background) throws IOException {
        RuntimeLog log = new RuntimeLog(logOut, options.sessionId());
        PreviewRuntime runtime = new PreviewRuntime(options, log);
        runtime.server.start();
        try {
            if (options.portFile() != null) {
                writeAtomically(options.portFile(), Integer.toString(runtime.port()));
            }
        } catch (IOException e) {
            runtime.close();
            throw new IOException("cannot write the port file " + options.portFile() + ": " + e.getMessage(), e);
        }
        log.info("listening", "address", options.bind(), "port", runtime.port());
        background.execute(runtime::materialize);
        return runtime;
    }

    int port() {
        return server.getAddress().getPort();
    }

    Health.Snapshot health() {
        return health.snapshot();
    }

    @Override
    public void close() {
        server.stop(0);
        httpThreads.shutdownNow();
        log.info("stopped");
    }

    private void materialize() {
        long started = System.nanoTime();
        try {
            Materialized done = new FileMaterializer(options.workDir(), options.limits())
                    .materialize(options.bundle(), options.sessionId());
            session = done.header().sessionId();
            log.session(session);
            project = new StaticFileServer(done.workDir());
            health.ready(done.files());
            log.info("files materialized", "project", done.header().projectId(), "files", done.files(),
                    "directories", done.directories(), "bytes", done.bytes(),
                    "millis", (System.nanoTime() - started) / 1_000_000);
        } catch (MaterializationException e) {
            health.failed(e.getMessage());
            log.error("files refused", "detail", e.getMessage());
        } catch (RuntimeException e) {
            // a bug must still show on /health, or the provisioner would wait for a ready that never comes
            health.failed("cannot materialize the files: " + e);
            log.error("files failed", "error", e.toString());
        }
    }

    private void handle(HttpExchange exchange) {
        try {
            URI uri = exchange.getRequestURI();
            // The provisioner reads /health directly over the private network, never through a replay.
            if (!HEALTH_PATH.equals(uri.getPath()) && !isReplayedByRouter(exchange)) {
                log.warn("request refused: not replayed by the router", "method", exchange.getRequestMethod(),
                        "path", uri.getRawPath());
                Responses.text(exchange, 403, "forbidden: this preview machine serves only requests the preview router"
                        + " replays to it, and this one's " + PreviewHeaders.FLY_REPLAY_SOURCE + " header carries no matching "
                        + PreviewHeaders.FLY_REPLAY_STATE + "\n");
                return;
            }
            String served = session;
            if (ProjectRequest.isSessionRootWithoutSlash(uri, served)) {
                String query = ProjectRequest.withoutReserved(uri.getRawQuery());
                String location = ProjectRequest.sessionPrefix(served) + (query == null ? "" : "?" + query);
                exchange.getResponseHeaders().set("Location", location);
                Responses.text(exchange, 308, "moved to " + ProjectRequest.sessionPrefix(served) + "\n");
                return;
            }
            ProjectRequest request = ProjectRequest.of(uri, served);
            if (HEALTH_PATH.equals(request.path())) {
                answerHealth(exchange);
                return;
            }
            PreviewServer server = project;
            if (server == null) {
                Health.Snapshot now = health.snapshot();
                exchange.getResponseHeaders().set("Retry-After", "1");
                Responses.text(exchange, 503, "preview is not ready: " + now.status().name().toLowerCase(Locale.ROOT) + "\n");
                return;
            }
            server.serve(exchange, request);
        } catch (IOException e) {
            log.warn("request failed", "path", exchange.getRequestURI().getRawPath(), "error", e.toString());
        } catch (RuntimeException e) {
            log.error("request failed", "path", exchange.getRequestURI().getRawPath(), "error", e.toString());
        } finally {
            exchange.close();
        }
    }

    private boolean isReplayedByRouter(HttpExchange exchange) {
        ReplayState expected = options.replayState();
        return expected == null || expected.presentIn(exchange.getRequestHeaders().get(PreviewHeaders.FLY_REPLAY_SOURCE));
    }

    private void answerHealth(HttpExchange exchange) throws IOException {
        String method = exchange.getRequestMethod();
        if (!method.equals("GET") && !method.equals("HEAD")) {
            exchange.getResponseHeaders().set("Allow", "GET, HEAD");
            Responses.text(exchange, 405, "method not allowed\n");
            return;
        }
        Health.Snapshot now = health.snapshot();
        Responses.send(exchange, now.httpStatus(), "application/json", now.json());
    }

    /** Readers of the file see either nothing or the whole port number, never a partial write. */
    private static void writeAtomically(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
