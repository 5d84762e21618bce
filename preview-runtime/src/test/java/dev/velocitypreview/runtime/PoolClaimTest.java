package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.core.edits.CompileError;
import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.EditOutcome;
import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.runtime.PreviewFront.Answer;
import dev.velocitypreview.runtime.PreviewFront.Receive;

/**
 * Claims that meet while one is being applied, a claim that comes as the machine turns warm or before, and a claim
 * answered before the dev server's check of its files, whose result the sync loop reports first.
 */
class PoolClaimTest {

    private static final String TOKEN = "pool-claim-token-0123456789abcdef";
    private static final RuntimeLog LOG = new RuntimeLog(new PrintStream(new ByteArrayOutputStream(), true,
            StandardCharsets.UTF_8), null);

    @TempDir
    Path root;

    @Test
    void aClaimWhileAnotherIsBeingAppliedIsAskedToComeBackAndTheSessionIsTakenOnce() throws Exception {
        HeldFiles held = templateFiles();
        CountDownLatch serving = new CountDownLatch(1);
        CountDownLatch letServe = new CountDownLatch(1);
        List<PoolClaim.Claimed> served = new CopyOnWriteArrayList<>();
        PoolClaim pool = new PoolClaim(new PoolToken(TOKEN), FileLimits.DEFAULT, warmHealth(), LOG, claimed -> {
            serving.countDown();
            try {
                letServe.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            served.add(claimed);
        });
        pool.warm(new EditApplier(new EditWriter(root.toRealPath(), FileLimits.DEFAULT, held), CompileCheck.NONE, LOG,
                Clock.systemUTC()), held);
        Receive receive = receive(pool);
        UUID session = UUID.randomUUID();

        CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> receive.answer().apply(claim(session)));
        assertThat(serving.await(30, TimeUnit.SECONDS)).as("the first claim is being applied").isTrue();
        Answer same = receive.answer().apply(claim(session));
        Answer other = receive.answer().apply(claim(UUID.randomUUID()));
        assertThat(pool.claimed()).as("not before it serves its session").isFalse();
        letServe.countDown();

        assertThat(List.of(same, other)).allSatisfy(busy -> {
            assertThat(busy.status()).isEqualTo(503);
            assertThat(busy.headers()).containsEntry("Retry-After", "1");
            assertThat(new String(busy.body(), StandardCharsets.UTF_8))
                    .isEqualTo("{\"error\":\"busy\",\"detail\":\"another claim is being applied\"}");
        });
        Answer applied = first.get(30, TimeUnit.SECONDS);
        assertThat(applied.status()).isEqualTo(200);
        assertThat(pool.claimed()).isTrue();
        assertThat(served).singleElement().satisfies(claimed -> assertThat(claimed.session()).isEqualTo(session.toString()));
        assertThat(receive.answer().apply(claim(session)).body()).isEqualTo(applied.body());
        assertThat(receive.answer().apply(claim(UUID.randomUUID())).status()).isEqualTo(409);
        assertThat(served).hasSize(1);
        assertThat(root.resolve("index.html")).hasContent("project");
    }

    @Test
    void aClaimThatComesAsHealthTurnsReadyWaitsForTheWarmUpInsteadOfBeingToldToComeBack() throws Exception {
        HeldFiles held = templateFiles();
        List<PoolClaim.Claimed> served = new CopyOnWriteArrayList<>();
        // health is ready, as the runtime's is just before it calls warm on the same thread
        PoolClaim pool = new PoolClaim(new PoolToken(TOKEN), FileLimits.DEFAULT, warmHealth(), LOG, served::add);
        Receive receive = receive(pool);
        UUID session = UUID.randomUUID();
        CompletableFuture<Answer> answer = new CompletableFuture<>();
        Thread claiming = new Thread(() -> answer.complete(receive.answer().apply(claim(session))), "claim");
        claiming.start();
        // the claim is waiting for the warm-up (not answered, and not decoding any more)
        await().atMost(Duration.ofSeconds(30)).until(() -> claiming.getState() == Thread.State.TIMED_WAITING);
        assertThat(answer).isNotDone();
        pool.warm(new EditApplier(new EditWriter(root.toRealPath(), FileLimits.DEFAULT, held), CompileCheck.NONE, LOG,
                Clock.systemUTC()), held);

        Answer applied = answer.get(30, TimeUnit.SECONDS);
        assertThat(applied.status()).as(new String(applied.body(), StandardCharsets.UTF_8)).isEqualTo(200);
        assertThat(served).singleElement().satisfies(claimed -> assertThat(claimed.session()).isEqualTo(session.toString()));
        assertThat(root.resolve("index.html")).hasContent("project");
    }

    @Test
    void aClaimOfAMachineThatIsStillStartingIsToldToComeBack() {
        Health starting = new Health(null);
        PoolClaim pool = new PoolClaim(new PoolToken(TOKEN), FileLimits.DEFAULT, starting, LOG, claimed -> { });

        Answer answer = receive(pool).answer().apply(claim(UUID.randomUUID()));

        assertThat(answer.status()).isEqualTo(503);
        assertThat(answer.headers()).containsEntry("Retry-After", "1");
        assertThat(new String(answer.body(), StandardCharsets.UTF_8)).contains("\"not_warm\"").contains("starting");
        assertThat(pool.claimed()).isFalse();
    }

    @Test
    void aClaimIsAnsweredBeforeTheDevServerChecksItsFilesAndTheirCompileErrorIsTheFirstSyncsResult() throws Exception {
        HeldFiles held = templateFiles();
        CountDownLatch checking = new CountDownLatch(1);
        CountDownLatch letAnswer = new CountDownLatch(1);
        CompileError broken = new CompileError("Unexpected token", "index.html", 1L, 2L);
        CompileCheck heldCheck = changed -> {
            checking.countDown();
            letAnswer.await();
            return changed.contains("index.html") ? broken : null;
        };
        BlockingQueue<byte[]> syncs = new LinkedBlockingQueue<>();
        HttpServer api = syncEndpoint(syncs);
        Health health = warmHealth();
        EditApplier applier = new EditApplier(new EditWriter(root.toRealPath(), FileLimits.DEFAULT, held), heldCheck, LOG,
                Clock.systemUTC());
        List<SyncLoop> loops = new CopyOnWriteArrayList<>();
        // as the runtime serves a claim: its sync loop, started with the files the claim wrote
        PoolClaim pool = new PoolClaim(new PoolToken(TOKEN), FileLimits.DEFAULT, health, LOG, claimed -> {
            SyncLoop loop = new SyncLoop(claimed.sync(), held, applier, claimed.written(), FirstPageWait.none(), health, LOG,
                    HttpClient.newHttpClient(), SyncLoop.BACKOFF, Clock.systemUTC());
            loops.add(loop);
            loop.start();
        });
        pool.warm(applier, held);
        UUID session = UUID.randomUUID();
        URI syncUrl = URI.create("http://127.0.0.1:" + api.getAddress().getPort() + "/sync");
        try {
            Answer answer = receive(pool).answer().apply(EditCodec.encodeClaim(new MachineClaim(session, UUID.randomUUID(),
                    files(), syncUrl, "v1.sync-token", null)));

            assertThat(answer.status()).isEqualTo(200);
            assertThat(new String(answer.body(), StandardCharsets.UTF_8)).isEqualTo("{\"sessionId\":\"" + session
                    + "\",\"written\":1,\"deleted\":0,\"outcome\":\"applied\"}");
            assertThat(root.resolve("index.html")).hasContent("project");
            assertThat(pool.claimed()).isTrue();
            assertThat(checking.await(30, TimeUnit.SECONDS)).as("the check runs after the answer").isTrue();
            assertThat(syncs).as("no sync before the check has its verdict").isEmpty();
            letAnswer.countDown();

            byte[] first = syncs.poll(30, TimeUnit.SECONDS);
            assertThat(first).as("the first sync").isNotNull();
            assertThat(EditCodec.decodeRequest(first).results()).singleElement().satisfies(result -> {
                assertThat(result.outcome()).isEqualTo(EditOutcome.COMPILE_ERROR);
                assertThat(result.error()).isEqualTo(broken);
                assertThat(result.written()).containsExactly(new FileVersion("index.html", 2));
            });
            await().atMost(Duration.ofSeconds(30)).until(() -> health.snapshot().sync().status() == Health.SyncStatus.STOPPED);
            assertThat(health.snapshot().sync().compileError()).isEqualTo(broken);
        } finally {
            letAnswer.countDown();
            loops.forEach(SyncLoop::close);
            api.stop(0);
        }
    }

    @Test
    void theCheckOfAClaimsFilesWaitsForTheSessionsFirstPageAndTheFirstSyncStillCarriesItsVerdict() throws Exception {
        HeldFiles held = templateFiles();
        CountDownLatch checked = new CountDownLatch(1);
        CompileError broken = new CompileError("Unexpected token", "index.html", 1L, 2L);
        CompileCheck check = changed -> {
            checked.countDown();
            return broken;
        };
        BlockingQueue<byte[]> syncs = new LinkedBlockingQueue<>();
        HttpServer api = syncEndpoint(syncs);
        Health health = warmHealth();
        EditApplier applier = new EditApplier(new EditWriter(root.toRealPath(), FileLimits.DEFAULT, held), check, LOG,
                Clock.systemUTC());
        // the front's hook, run here by hand as the front runs it once it relayed the first page
        AtomicReference<Runnable> afterNextRelay = new AtomicReference<>();
        List<SyncLoop> loops = new CopyOnWriteArrayList<>();
        PoolClaim pool = new PoolClaim(new PoolToken(TOKEN), FileLimits.DEFAULT, health, LOG, claimed -> {
            SyncLoop loop = new SyncLoop(claimed.sync(), held, applier, claimed.written(),
                    new FirstPageWait(afterNextRelay::set, Duration.ofMinutes(5)), health, LOG,
                    HttpClient.newHttpClient(), SyncLoop.BACKOFF, Clock.systemUTC());
            loops.add(loop);
            loop.start();
        });
        pool.warm(applier, held);
        URI syncUrl = URI.create("http://127.0.0.1:" + api.getAddress().getPort() + "/sync");
        try {
            Answer answer = receive(pool).answer().apply(EditCodec.encodeClaim(new MachineClaim(UUID.randomUUID(),
                    UUID.randomUUID(), files(), syncUrl, "v1.sync-token", null)));
            assertThat(answer.status()).isEqualTo(200);

            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(5))
                    .untilAsserted(() -> assertThat(checked.getCount()).as("no check before the first page").isEqualTo(1));
            assertThat(syncs).as("nor a sync").isEmpty();
            afterNextRelay.get().run();

            assertThat(checked.await(30, TimeUnit.SECONDS)).as("the check, once the page was relayed").isTrue();
            byte[] first = syncs.poll(30, TimeUnit.SECONDS);
            assertThat(first).as("the first sync").isNotNull();
            assertThat(EditCodec.decodeRequest(first).results()).singleElement()
                    .satisfies(result -> assertThat(result.error()).isEqualTo(broken));
        } finally {
            loops.forEach(SyncLoop::close);
            api.stop(0);
        }
    }

    /** The template's one file, on disk and held, as a warm machine has it. */
    private HeldFiles templateFiles() throws java.io.IOException {
        Files.writeString(root.resolve("index.html"), "template");
        HeldFiles held = new HeldFiles();
        held.put("index.html", 0, HeldFiles.sha256(HeldFiles.utf8("template")), 8);
        return held;
    }

    /** A session API's sync endpoint that records each sync and answers 410 (gone): a loop stops after its first. */
    private static HttpServer syncEndpoint(BlockingQueue<byte[]> syncs) throws java.io.IOException {
        HttpServer api = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        api.createContext("/sync", exchange -> {
            syncs.add(exchange.getRequestBody().readAllBytes());
            exchange.sendResponseHeaders(410, -1);
            exchange.close();
        });
        api.start();
        return api;
    }

    private static Health warmHealth() {
        Health health = new Health(null);
        health.ok(Health.FILES, "1 file");
        health.skipped(Health.INSTALL, "static");
        health.skipped(Health.DEV_SERVER, "static");
        return health;
    }

    private static Receive receive(PoolClaim pool) {
        return (Receive) pool.route(new HttpHead("POST " + PoolClaim.PATH + " HTTP/1.1",
                List.of(Map.entry("Authorization", "Bearer " + TOKEN))));
    }

    private static SyncResponse files() {
        return new SyncResponse(List.of(new SyncedFile("index.html", 2, HeldFiles.sha256(HeldFiles.utf8("project")),
                "project")), List.of());
    }

    private static byte[] claim(UUID session) {
        return EditCodec.encodeClaim(new MachineClaim(session, UUID.randomUUID(), files(), null, null, null));
    }
}
