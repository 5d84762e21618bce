package dev.velocitypreview.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The runtime's reading of what the project's processes send it, bounded whatever they send. */
class DevServerTest {

    private static final long SENT_AT_MOST = 64L << 20;

    @TempDir
    Path temp;

    private final ByteArrayOutputStream logs = new ByteArrayOutputStream();
    private final RuntimeLog log = new RuntimeLog(new PrintStream(logs, true, StandardCharsets.UTF_8), "s-dev");

    @Test
    void aFirstPageWithoutEndIsReadOnlyUpToItsBound() throws Exception {
        List<Long> sentPerConnection = new CopyOnWriteArrayList<>();
        byte[] chunk = ("2000\r\n" + "<script type=\"module\" src=\"/main.js\"></script>".repeat(8192 / 46 + 1).substring(0, 8192)
                + "\r\n").getBytes(StandardCharsets.ISO_8859_1);
        try (ServerSocket endless = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             DevServer server = new DevServer(0, new ProjectProcess(List.of("sleep", "60"), temp, Map.of(), "dev server", log))) {
            Thread answering = new Thread(() -> {
                while (true) {
                    try (Socket connection = endless.accept()) {
                        HttpHead.read(new BufferedInputStream(connection.getInputStream()), 64 * 1024);
                        OutputStream out = connection.getOutputStream();
                        out.write("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
                        long sent = 0;
                        try {
                            while (sent < SENT_AT_MOST) {
                                out.write(chunk);
                                sent += chunk.length;
                            }
                        } catch (IOException e) {
                            // the runtime stopped reading
                        }
                        sentPerConnection.add(sent);
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            answering.setDaemon(true);
            answering.start();

            DevServer.FirstPage page = server.awaitFirstPage((InetSocketAddress) endless.getLocalSocketAddress(), Map.of(),
                    Duration.ofSeconds(30));

            assertThat(page.status()).isEqualTo(200);
            assertThat(page.moduleScripts()).isEqualTo(1);
        }
        // the page and its one script, each given up on long before the stand-in's end; the stand-in counts a
        // connection once a write fails after the runtime let go of it, which may come after the runtime's close
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(sentPerConnection).hasSize(2));
        assertThat(sentPerConnection).allSatisfy(sent -> assertThat(sent).isLessThan(SENT_AT_MOST));
    }

    @Test
    void aProcessLineWithoutEndIsCutInTheLog() throws Exception {
        try (ProjectProcess process = new ProjectProcess(List.of("sh", "-c",
                "head -c 1000000 /dev/zero | tr '\\0' x; echo; echo done"), temp, Map.of(), "dev server", log)) {
            assertThat(process.awaitExit(Duration.ofSeconds(30))).isZero();
        }

        List<String> lines = logs.toString(StandardCharsets.UTF_8).lines().toList();
        assertThat(lines).anySatisfy(line -> assertThat(line).contains("line=\"" + "x".repeat(100)).contains("[cut]"))
                .anySatisfy(line -> assertThat(line).endsWith("line=done"))
                .allSatisfy(line -> assertThat(line.length()).isLessThan(ProjectProcess.MAX_LINE_CHARS + 200));
    }
}
