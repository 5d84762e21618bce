package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.UUID;
import java.util.stream.Stream;

import dev.velocitypreview.core.edits.EditCodec;
import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;

/**
 * A training run for a class-data archive of the runtime: run under {@code -XX:ArchiveClassesAtExit=<file>}, it starts
 * a runtime on a one-file static project in a temporary folder, asks for its {@code /health} until it is ready and for
 * the page a few times; then a warm pool's runtime on a one-file template, which it claims for a session with a file
 * of the session's own and asks for that page; it stops both and exits. The JVM then writes every class those steps
 * loaded into the archive, which later runtimes map ({@code -XX:SharedArchiveFile}) instead of loading and verifying
 * them: a pooled machine's claim, on the path of a warm start, finds its classes mapped as a start does (its first
 * claim loaded them one by one, a measured part of a warm start: docs/benchmarks.md §12). The local driver runs it
 * once per runtime build and JVM; the machine image runs it at build time. Exits 0 when both runtimes served their
 * page, 1 otherwise (the archive is then not to be used).
 */
public final class ClassDataTraining {

    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String PAGE = "<p>training</p>";
    private static final String CLAIMED_PAGE = "<p>claimed</p>";
    /** A pool token of the required shape, for this run's own pooled runtime only. */
    private static final String POOL_TOKEN = "class-data-training-pool-token-0123456789";

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("preview-runtime-training-");
        boolean served;
        try {
            served = train(work.resolve("session")) && trainClaim(work.resolve("pooled"));
        } finally {
            delete(work);
        }
        if (!served) {
            System.err.println("preview-runtime training: the runtime did not serve its page within " + BOUND);
        }
        // the runtime's shutdown hook stops it; the JVM writes the archive as it exits
        System.exit(served ? 0 : 1);
    }

    /** The runtime's own main, as a machine runs it, so the archive holds what a machine's start loads. */
    private static boolean train(Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path bundle = work.resolve("bundle.json");
        Path portFile = work.resolve("port");
        Files.writeString(bundle, "{\"sessionId\":\"00000000-0000-4000-8000-000000000000\",\"projectId\":"
                + "\"00000000-0000-4000-8000-000000000001\",\"files\":[{\"path\":\"index.html\",\"content\":\"" + PAGE
                + "\",\"directory\":false}]}", StandardCharsets.UTF_8);
        PreviewRuntime.main(new String[] {"--port=0", "--bind=127.0.0.1", "--work-dir=" + work.resolve("project"),
                "--bundle=" + bundle, "--port-file=" + portFile});
        // main writes the port file before it returns
        int port = Integer.parseInt(Files.readString(portFile).trim());
        return awaitReady(port) && servesPage(port, PAGE);
    }

    /**
     * A warm pool's runtime, as a pooled machine runs it (its pool token, a template's bundle), claimed as the
     * provisioner claims one: the template's page by its version, the session's own page in full.
     */
    private static boolean trainClaim(Path work) throws IOException, InterruptedException {
        Files.createDirectories(work);
        Path bundle = work.resolve("bundle.json");
        Path portFile = work.resolve("port");
        Files.writeString(bundle, "{\"pool\":\"training\",\"files\":[{\"path\":\"index.html\",\"content\":\"" + PAGE
                + "\",\"directory\":false},{\"path\":\"about.html\",\"content\":\"" + PAGE
                + "\",\"directory\":false}]}", StandardCharsets.UTF_8);
        PreviewRuntime.main(new String[] {"--port=0", "--bind=127.0.0.1", "--work-dir=" + work.resolve("project"),
                "--bundle=" + bundle, "--port-file=" + portFile, "--pool-token=" + POOL_TOKEN});
        int port = Integer.parseInt(Files.readString(portFile).trim());
        if (!awaitReady(port)) {
            return false;
        }
        MachineClaim claim = new MachineClaim(UUID.fromString("00000000-0000-4000-8000-000000000002"),
                UUID.fromString("00000000-0000-4000-8000-000000000003"), new SyncResponse(List.of(
                        new SyncedFile("index.html", 1, HeldFiles.sha256(HeldFiles.utf8(CLAIMED_PAGE)), CLAIMED_PAGE),
                        new SyncedFile("about.html", 1, HeldFiles.sha256(HeldFiles.utf8(PAGE)), null)), List.of()),
                null, null, null);
        return exchange(port, "POST", PoolClaim.PATH, "Authorization: Bearer " + POOL_TOKEN
                + "\r\nContent-Type: application/json\r\n", EditCodec.encodeClaim(claim)).startsWith("HTTP/1.1 200")
                && servesPage(port, CLAIMED_PAGE);
    }

    private static boolean awaitReady(int port) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (!exchange(port, "GET", PreviewRuntime.HEALTH_PATH, "", new byte[0]).startsWith("HTTP/1.1 200")) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            // a training run's own poll of a real runtime, not a test's synchronization
            Thread.sleep(10);
        }
        return true;
    }

    private static boolean servesPage(int port, String page) throws IOException {
        for (int i = 0; i < 20; i++) {
            String answer = exchange(port, "GET", "/index.html", "", new byte[0]);
            if (!answer.startsWith("HTTP/1.1 200") || !answer.endsWith(page)) {
                return false;
            }
        }
        return true;
    }

    /**
     * One request on a connection of its own, its whole answer as text, by hand rather than with the JDK's HTTP client:
     * whatever this JVM loads goes into the archive, and every machine maps the archive whole, so it holds the
     * runtime's classes and no client's.
     */
    private static String exchange(int port, String method, String path, String headers, byte[] body) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write((method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n" + headers
                    + "Content-Length: " + body.length + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            return new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
