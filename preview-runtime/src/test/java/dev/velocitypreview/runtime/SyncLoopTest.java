package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.retry.Backoff;

/**
 * The loop's handling of a platform it cannot reach; what the session API answers is proven against the real API in
 * the end-to-end tests.
 */
class SyncLoopTest {

    @Test
    void anUnreachablePlatformIsTriedAgainWithBackoffAndShownOnHealthUntilClosed() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        ByteArrayOutputStream logs = new ByteArrayOutputStream();
        RuntimeLog log = new RuntimeLog(new PrintStream(logs, true, StandardCharsets.UTF_8), "s-sync");
        Health health = new Health("s-sync");
        HeldFiles held = new HeldFiles();
        SyncLoop loop = new SyncLoop(new RuntimeOptions.SyncOptions(
                URI.create("http://127.0.0.1:" + closedPort + "/machine/v1/sessions/s-sync/sync"), "v1.secret-token"),
                held, new EditApplier(new EditWriter(java.nio.file.Path.of("/nonexistent"), FileLimits.DEFAULT, held),
                CompileCheck.NONE, log, Clock.systemUTC()), null, FirstPageWait.none(), health, log, HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build(),
                new Backoff(Duration.ofMillis(10), Duration.ofMillis(50)), Clock.systemUTC());

        loop.start();
        await().atMost(Duration.ofSeconds(30)).until(() -> logs.toString(StandardCharsets.UTF_8)
                .lines().filter(line -> line.contains("msg=\"sync failed\"")).count() >= 3);
        loop.close();

        Health.Sync sync = health.snapshot().sync();
        assertThat(sync.status()).isEqualTo(Health.SyncStatus.RETRYING);
        assertThat(sync.detail()).startsWith("sync failed: java.net.ConnectException");
        assertThat(sync.lastSync()).isNull();
        assertThat(new String(health.snapshot().json(), StandardCharsets.UTF_8)).contains("\"sync\":{\"status\":\"retrying\"");
        assertThat(logs.toString(StandardCharsets.UTF_8)).doesNotContain("secret-token");
        assertThat(loop.isRunning()).as("closed").isFalse();
    }
}
