package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.runtime.PreviewFront.Answer;
import dev.velocitypreview.runtime.PreviewFront.Receive;

/** Claims that meet while one is being applied: the dev server's check is held until the test lets it answer. */
class PoolClaimTest {

    private static final String TOKEN = "pool-claim-token-0123456789abcdef";

    @TempDir
    Path root;

    @Test
    void aClaimWhileAnotherIsBeingAppliedIsAskedToComeBackAndTheSessionIsTakenOnce() throws Exception {
        Files.writeString(root.resolve("index.html"), "template");
        HeldFiles held = new HeldFiles();
        held.put("index.html", 0, HeldFiles.sha256(HeldFiles.utf8("template")), 8);
        CountDownLatch checking = new CountDownLatch(1);
        CountDownLatch answer = new CountDownLatch(1);
        CompileCheck heldCheck = changed -> {
            checking.countDown();
            answer.await();
            return null;
        };
        RuntimeLog log = new RuntimeLog(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8), null);
        Health health = new Health(null);
        health.ok(Health.FILES, "1 file");
        health.skipped(Health.INSTALL, "static");
        health.skipped(Health.DEV_SERVER, "static");
        List<PoolClaim.Claimed> served = new CopyOnWriteArrayList<>();
        PoolClaim pool = new PoolClaim(new PoolToken(TOKEN), FileLimits.DEFAULT, health, log, served::add);
        pool.warm(new EditApplier(new EditWriter(root.toRealPath(), FileLimits.DEFAULT, held), heldCheck, log,
                Clock.systemUTC()), held);
        Receive receive = (Receive) pool.route(new HttpHead("POST " + PoolClaim.PATH + " HTTP/1.1",
                List.of(Map.entry("Authorization", "Bearer " + TOKEN))));
        UUID session = UUID.randomUUID();

        CompletableFuture<Answer> first = CompletableFuture.supplyAsync(() -> receive.answer().apply(claim(session)));
        assertThat(checking.await(30, TimeUnit.SECONDS)).as("the first claim is being checked").isTrue();
        Answer same = receive.answer().apply(claim(session));
        Answer other = receive.answer().apply(claim(UUID.randomUUID()));
        assertThat(pool.claimed()).as("not before its files are checked").isFalse();
        answer.countDown();

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

    private static byte[] claim(UUID session) {
        return EditCodec.encodeClaim(new MachineClaim(session, UUID.randomUUID(), new SyncResponse(List.of(
                new SyncedFile("index.html", 2, HeldFiles.sha256(HeldFiles.utf8("project")), "project")), List.of()),
                null, null, null));
    }
}
