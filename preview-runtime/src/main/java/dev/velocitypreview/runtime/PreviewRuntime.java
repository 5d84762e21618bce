package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executor;


import dev.velocitypreview.core.http.PreviewHeaders;
import dev.velocitypreview.core.net.LoopbackPorts;
import dev.velocitypreview.runtime.FileMaterializer.Materialized;
import dev.velocitypreview.runtime.PreviewFront.Answer;
import dev.velocitypreview.runtime.PreviewFront.Relay;
import dev.velocitypreview.runtime.PreviewFront.Route;

/**
 * The process inside every preview machine: listens first (so the driver learns the port at
 * once and {@code /health} can say "starting"), then materializes the project's files and serves
 * them. A project whose root {@code package.json} has a {@code dev} script gets its dependencies
 * ({@link DependencyStore}) and its dev server ({@link DevServer}), and is ready once the dev server
 * answered its first page; any other project's files are served as they are ({@link StaticFileServer}).
 * A step that fails leaves the process up, reporting why on {@code /health}, so the provisioner can
 * fail the session with that message.
 *
 * <p>{@link PreviewFront} is the only listener: it answers {@code /health}, the refusals and a static project's
 * files itself, and relays a dev server project's requests, WebSocket upgrades included, to the dev server on
 * loopback.
 *
 * <p>Once ready, a runtime given {@code --sync-url} and {@code --sync-token} pulls live edits ({@link SyncLoop}) and
 * checks them with its dev server ({@link CompileCheck}).
 *
 * <p>A runtime given {@code --pool-token} is a warm pool's machine: it starts on a template's pooled bundle with no
 * session, gets ready the same way, and then serves nothing but {@code /health} and its claim ({@link PoolClaim}), which
 * brings the session, its files, its replay state and its sync endpoint. From the claim on it is that session's machine.
 *
 * <p>A plain main, no framework: a preview must start in a fraction of a second.
 */
public final class PreviewRuntime implements AutoCloseable {

    static final String HEALTH_PATH = "/health";
    static final String INLINE_BUNDLE = "PREVIEW_BUNDLE_B64";
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final RuntimeOptions options;
    private final RuntimeLog log;
    private final Health health;
    private final PreviewFront front;
    /** A warm pool's claim; null for a session's machine. */
    private final PoolClaim pool;
    /**
     * What the runtime's own first-page probe carries through the front of a pooled machine, which serves no one else
     * before its claim: a random secret, in the header the front strips before the dev server; null when not pooled.
     */
    private final ReplayState warmUp;
    /** The state replayed requests must carry: from the options, or from the claim; null for none. */
    private volatile ReplayState replayState;
    /** A static project's files; null until they are in place, and for a dev server project. */
    private volatile StaticFileServer files;
    /** Where a dev server project's requests go; null until the dev server is started. */
    private volatile InetSocketAddress upstream;
    /** The session served: from the options, else from the bundle once read; null until known. */
    private volatile String session;
    /** Set under this object's lock, as are the servers, so a close during the start leaves nothing running. */
    private boolean closed;
    private DevServer devServer;
    private DependencyStore dependencies;
    private SyncLoop sync;
    /** The files written, for the sync; null until the files are in place. */
    private volatile HeldFiles held;
    /** How live edits and a claim are applied; null until the preview is ready. */
    private volatile EditApplier applier;

    private PreviewRuntime(RuntimeOptions options, RuntimeLog log) throws IOException {
        this.options = options;
        this.log = log;
        this.session = options.sessionId();
        this.health = new Health(options.sessionId());
        this.replayState = options.replayState();
        this.pool = options.pooled() ? new PoolClaim(options.poolToken(), options.limits(), health, log, this::serve) : null;
        this.warmUp = options.pooled() ? new ReplayState(randomSecret()) : null;
        this.front = new PreviewFront(new InetSocketAddress(InetAddress.getByName(options.bind()), options.port()),
                this::route, log);
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
        runtime.front.start();
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
        return front.port();
    }

    Health.Snapshot health() {
        return health.snapshot();
    }

    /** The files the runtime wrote, as its syncs report them; null until the files are in place. */
    HeldFiles held() {
        return held;
    }

    /** The dev server, or null for a static project or while it is not started. */
    synchronized DevServer devServer() {
        return devServer;
    }

    /** Stops listening, then the project's server; a dev server is stopped with every process it started. */
    @Override
    public void close() {
        front.close();
        DevServer dev;
        DependencyStore installing;
        SyncLoop syncing;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            dev = devServer;
            installing = dependencies;
            syncing = sync;
        }
        if (syncing != null) {
            syncing.close();
        }
        // outside the lock: ending a process tree may take the stop grace, and the start takes the lock too
        if (installing != null) {
            installing.close();
        }
        if (dev != null) {
            dev.close();
        }
        log.info("stopped");
    }

    private void materialize() {
        Materialized done;
        try {
            done = new FileMaterializer(options.workDir(), options.limits())
                    .materialize(options.bundle(), options.sessionId(), options.pooled());
            session = done.header().sessionId();
            log.session(session);
            health.session(session);
            held = done.held();
            if (options.pooled()) {
                health.sync(new Health.Sync(Health.SyncStatus.WAITING, "a warm pool's machine: live edits come with its"
                        + " claim", null, null));
            } else if (options.sync() == null) {
                health.sync(new Health.Sync(Health.SyncStatus.OFF, "no --sync-url and --sync-token", null, null));
                log.info("live edits off", "reason", "the machine was given no --sync-url and --sync-token");
            } else {
                health.sync(new Health.Sync(Health.SyncStatus.WAITING, "waiting for the preview to be ready", null, null));
            }
            health.ok(Health.FILES, done.files() + (done.files() == 1 ? " file" : " files"));
            log.info("files materialized", done.header().pooled() ? "pool" : "project",
                    done.header().pooled() ? done.header().pool() : done.header().projectId(), "files", done.files(),
                    "directories", done.directories(), "bytes", done.bytes(),
                    "millis", health.snapshot().check(Health.FILES).millis());
        } catch (MaterializationException e) {
            health.failed(Health.FILES, e.getMessage());
            log.error("files refused", "detail", e.getMessage());
            return;
        } catch (RuntimeException e) {
            // a bug must still show on /health, or the provisioner would wait for a ready that never comes
            health.failed(Health.FILES, "cannot materialize the files: " + e);
            log.error("files failed", "error", e.toString());
            return;
        }
        try {
            Optional<String> devScript = PackageManifest.devScript(done.workDir());
            if (devScript.isPresent()) {
                startDevMode(done.workDir(), devScript.get());
            } else {
                startStatic(done.workDir());
            }
        } catch (IOException e) {
            health.failed(Health.INSTALL, "cannot start the project: " + e.getMessage());
            log.error("project not started", "error", e.toString());
        } catch (RuntimeException e) {
            health.failed(Health.DEV_SERVER, "cannot start the project: " + e);
            log.error("project not started", "error", e.toString());
        }
    }

    private void startStatic(Path root) {
        files = new StaticFileServer(root);
        String why = "no dev script in package.json: the files are served as they are";
        health.skipped(Health.INSTALL, why);
        health.skipped(Health.DEV_SERVER, why);
        ready(root, CompileCheck.NONE);
    }

    /**
     * Live edits begin once the preview is ready, so the first answer's files meet a dev server that serves; a warm
     * pool's machine is warm then, and takes its claim.
     */
    private void ready(Path root, CompileCheck check) {
        EditApplier edits = new EditApplier(new EditWriter(root, options.limits(), held), check, log, Clock.systemUTC());
        applier = edits;
        if (pool != null) {
            pool.warm(edits, held);
            log.info("warm", "detail", "waiting for a claim");
        } else {
            startSync(options.sync(), null, FirstPageWait.none());
        }
    }

    /**
     * The claim's session is served from now on: the prefix, the logs, the replay state, then its live edits, whose
     * loop checks the claim's files first (the claim is not kept waiting for that check).
     */
    private void serve(PoolClaim.Claimed claimed) {
        replayState = claimed.replayState();
        session = claimed.session();
        log.session(claimed.session());
        health.session(claimed.session());
        // a static project's pages are the front's own answers, and no compile competes with them
        FirstPageWait firstPage = devServer == null ? FirstPageWait.none()
                : new FirstPageWait(front::afterNextRelay, FirstPageWait.BOUND);
        if (claimed.sync() == null) {
            health.sync(new Health.Sync(Health.SyncStatus.OFF, "the claim brought no sync url and token", null, null));
            log.info("live edits off", "reason", "the claim brought no sync url and token");
            checkWithoutSync(claimed.written(), firstPage);
        } else {
            health.sync(new Health.Sync(Health.SyncStatus.WAITING, "claimed: the first sync is on its way", null, null));
            startSync(claimed.sync(), claimed.written(), firstPage);
        }
    }

    /** With no platform to tell, the claim's check still shows its verdict on {@code /health}, after the answer. */
    private void checkWithoutSync(EditWriter.Applied written, FirstPageWait firstPage) {
        Thread check = new Thread(() -> {
            try {
                firstPage.await();
                EditApplier.Checked checked = applier.checkClaimed(written);
                health.sync(new Health.Sync(Health.SyncStatus.OFF, "the claim brought no sync url and token", null,
                        checked.result().error()));
                log.info("claim checked", "checked", written.changed().size(), "outcome",
                        checked.result().outcome().wire(), "millis", checked.millis());
            } catch (InterruptedException e) {
                // the runtime is closing: nothing left to tell
            }
        }, "preview-claim-check");
        check.setDaemon(true);
        check.start();
    }

    /**
     * @param given     where live edits come from; null for none
     * @param claimed   the claim's files, which the loop checks before its first sync; null when no claim wrote any
     * @param firstPage what the check of {@code claimed} waits for first
     */
    private void startSync(RuntimeOptions.SyncOptions given, EditWriter.Applied claimed, FirstPageWait firstPage) {
        if (given == null) {
            return;
        }
        SyncLoop loop = new SyncLoop(given, held, applier, claimed, firstPage, health, log,
                HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build(),
                SyncLoop.BACKOFF, Clock.systemUTC());
        synchronized (this) {
            if (closed) {
                return;
            }
            sync = loop;
        }
        loop.start();
    }

    private CompileCheck compileCheck(Path project, int port) {
        try {
            return CompileCheck.forDevServer(project, port,
                    HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(CONNECT_TIMEOUT).build(), log);
        } catch (IOException e) {
            log.warn("no compile check", "reason", e.getMessage());
            return CompileCheck.NONE;
        }
    }

    private void startDevMode(Path project, String devScript) throws IOException {
        RuntimeOptions.DevOptions dev = options.dev();
        health.running(Health.INSTALL, "preparing the dependencies");
        DependencyStore store = new DependencyStore(dev.depsCache(), dev.npm(), dev.installTimeout(), log);
        synchronized (this) {
            if (closed) {
                return;
            }
            dependencies = store;
        }
        DependencyStore.Prepared prepared;
        try {
            prepared = store.prepare(project);
        } catch (DependencyStore.InstallException e) {
            health.failed(Health.INSTALL, e.getMessage());
            log.error("install failed", "detail", e.getMessage());
            return;
        }
        String entry = prepared.entry().getFileName().toString().substring(0, 12);
        health.ok(Health.INSTALL, prepared.reused()
                ? "prepared dependencies reused from store entry " + entry + ", npm did not run"
                : "installed with npm " + prepared.command() + " into store entry " + entry);
        log.info("dependencies in place", "entry", entry, "reused", prepared.reused(),
                "millis", health.snapshot().check(Health.INSTALL).millis());

        int port = LoopbackPorts.free();
        health.running(Health.DEV_SERVER, "the dev script on port " + port);
        DevServer server;
        try {
            server = DevServer.start(project, devScript, port, dev.previewDomain(), log);
        } catch (DevServer.StartException e) {
            health.failed(Health.DEV_SERVER, e.getMessage());
            log.error("dev server failed", "detail", e.getMessage());
            return;
        }
        synchronized (this) {
            if (closed) {
                server.close();
                return;
            }
            devServer = server;
        }
        log.info("dev server started", "port", port, "pid", server.process().pid());
        upstream = new InetSocketAddress(InetAddress.getLoopbackAddress(), port);
        try {
            DevServer.FirstPage first = server.awaitFirstPage(frontAddress(), probeHeaders(), dev.startTimeout());
            server.process().onExit().thenRun(() -> exitedAfterReady(server));
            health.ok(Health.DEV_SERVER, "first page answered " + first.status() + " on port " + port
                    + (first.moduleScripts() > 0 ? ", with its " + first.moduleScripts() + " module scripts" : ""));
            log.info("dev server ready", "port", port, "status", first.status(), "module scripts", first.moduleScripts(),
                    "millis", health.snapshot().check(Health.DEV_SERVER).millis());
            ready(project, compileCheck(project, port));
        } catch (DevServer.StartException e) {
            health.failed(Health.DEV_SERVER, e.getMessage());
            log.error("dev server failed", "detail", e.getMessage());
            server.close();
        }
    }

    private void exitedAfterReady(DevServer server) {
        synchronized (this) {
            if (closed) {
                return;
            }
        }
        String detail = server.exited("after it was ready").getMessage();
        health.failed(Health.DEV_SERVER, detail);
        log.error("dev server exited", "detail", detail);
    }

    /** The front as the runtime itself reaches it: loopback when it listens on every address. */
    private InetSocketAddress frontAddress() throws IOException {
        InetAddress bound = InetAddress.getByName(options.bind());
        return new InetSocketAddress(bound.isAnyLocalAddress() ? InetAddress.getLoopbackAddress() : bound, port());
    }

    private Map<String, String> probeHeaders() {
        ReplayState replay = warmUp != null ? warmUp : replayState;
        return replay == null ? Map.of() : Map.of(PreviewHeaders.FLY_REPLAY_SOURCE, replay.replaySource());
    }

    private static String randomSecret() {
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    }

    /** Every request's first stop: health and refusals are answered here, the rest goes to the project. */
    private Route route(HttpHead request) {
        URI uri;
        try {
            uri = new URI(request.target());
        } catch (URISyntaxException e) {
            return Answer.text(400, "bad request: the request target is not a URI\n");
        }
        // The provisioner claims a pooled machine directly over the private network, as it reads /health.
        if (PoolClaim.PATH.equals(uri.getRawPath())) {
            return pool == null ? PoolClaim.notPooled() : pool.route(request);
        }
        if (pool != null && !pool.claimed() && !HEALTH_PATH.equals(uri.getPath())
                && !warmUp.presentIn(request.values(PreviewHeaders.FLY_REPLAY_SOURCE))) {
            return Answer.text(403, "forbidden: this machine is in a warm pool and serves no session yet; only /health"
                    + " and its claim are answered\n");
        }
        // The provisioner reads /health directly over the private network, never through a replay.
        if (!HEALTH_PATH.equals(uri.getPath()) && !isReplayedByRouter(request)) {
            log.warn("request refused: not replayed by the router", "method", request.method(), "path", uri.getRawPath());
            return Answer.text(403, "forbidden: this preview machine serves only requests the preview router"
                    + " replays to it, and this one's " + PreviewHeaders.FLY_REPLAY_SOURCE + " header carries no matching "
                    + PreviewHeaders.FLY_REPLAY_STATE + "\n");
        }
        String served = session;
        if (ProjectRequest.isSessionRootWithoutSlash(uri, served)) {
            String query = ProjectRequest.withoutReserved(uri.getRawQuery());
            String location = ProjectRequest.sessionPrefix(served) + (query == null ? "" : "?" + query);
            return new Answer(308, "text/plain; charset=utf-8",
                    ("moved to " + ProjectRequest.sessionPrefix(served) + "\n").getBytes(StandardCharsets.UTF_8),
                    Map.of("Location", location));
        }
        if (HEALTH_PATH.equals(ProjectRequest.of(uri, served).path())) {
            String method = request.method();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                return new Answer(405, "text/plain; charset=utf-8", "method not allowed\n".getBytes(StandardCharsets.UTF_8),
                        Map.of("Allow", "GET, HEAD"));
            }
            Health.Snapshot now = health.snapshot();
            return new Answer(now.httpStatus(), "application/json", now.json(), Map.of());
        }
        StaticFileServer staticFiles = files;
        if (staticFiles != null) {
            try {
                return staticFiles.answer(request.method(), ProjectRequest.of(uri, served));
            } catch (IOException e) {
                log.warn("file not read", "path", uri.getRawPath(), "error", e.toString());
                return Answer.text(500, "cannot read the file\n");
            }
        }
        InetSocketAddress target = upstream;
        if (target == null) {
            return new Answer(503, "text/plain; charset=utf-8", ("preview is not ready: "
                    + health.snapshot().status().name().toLowerCase(Locale.ROOT) + "\n").getBytes(StandardCharsets.UTF_8),
                    Map.of("Retry-After", "1"));
        }
        return new Relay(target, ProjectRequest.forwardedTarget(uri, served));
    }

    private boolean isReplayedByRouter(HttpHead request) {
        ReplayState expected = replayState;
        return expected == null || expected.presentIn(request.values(PreviewHeaders.FLY_REPLAY_SOURCE));
    }

    /** Readers of the file see either nothing or the whole port number, never a partial write. */
    private static void writeAtomically(Path file, String content) throws IOException {
        Path temporary = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(temporary, content, StandardCharsets.UTF_8);
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }
}
