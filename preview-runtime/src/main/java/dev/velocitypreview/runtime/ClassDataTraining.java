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
import java.util.stream.Stream;

/**
 * A training run for a class-data archive of the runtime: run under {@code -XX:ArchiveClassesAtExit=<file>}, it starts
 * a runtime on a one-file static project in a temporary folder, asks for its {@code /health} until it is ready and for
 * the page a few times, stops it and exits; the JVM then writes every class those steps loaded into the archive, which
 * later runtimes map ({@code -XX:SharedArchiveFile}) instead of loading and verifying them. The local driver runs it
 * once per runtime build and JVM; the machine image runs it at build time. Exits 0 when the runtime served its page, 1
 * otherwise (the archive is then not to be used).
 */
public final class ClassDataTraining {

    private static final Duration BOUND = Duration.ofSeconds(60);
    private static final String PAGE = "<p>training</p>";

    private ClassDataTraining() {
    }

    public static void main(String[] args) throws IOException, InterruptedException {
        Path work = Files.createTempDirectory("preview-runtime-training-");
        boolean served;
        try {
            served = train(work);
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
        Path bundle = work.resolve("bundle.json");
        Path portFile = work.resolve("port");
        Files.writeString(bundle, "{\"sessionId\":\"00000000-0000-4000-8000-000000000000\",\"projectId\":"
                + "\"00000000-0000-4000-8000-000000000001\",\"files\":[{\"path\":\"index.html\",\"content\":\"" + PAGE
                + "\",\"directory\":false}]}", StandardCharsets.UTF_8);
        PreviewRuntime.main(new String[] {"--port=0", "--bind=127.0.0.1", "--work-dir=" + work.resolve("project"),
                "--bundle=" + bundle, "--port-file=" + portFile});
        // main writes the port file before it returns
        int port = Integer.parseInt(Files.readString(portFile).trim());
        long deadline = System.nanoTime() + BOUND.toNanos();
        while (status(port, PreviewRuntime.HEALTH_PATH) != 200) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            // a training run's own poll of a real runtime, not a test's synchronization
            Thread.sleep(10);
        }
        for (int i = 0; i < 20; i++) {
            if (status(port, "/index.html") != 200) {
                return false;
            }
        }
        return true;
    }

    /**
     * One GET on a connection of its own, by hand rather than with the JDK's HTTP client: whatever this JVM loads goes
     * into the archive, and every machine maps the archive whole, so it holds the runtime's classes and no client's.
     */
    private static int status(int port, String path) throws IOException {
        try (Socket socket = new Socket(InetAddress.getLoopbackAddress(), port)) {
            socket.setSoTimeout(5_000);
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            byte[] answer = socket.getInputStream().readAllBytes();
            // "HTTP/1.1 200 OK": the status is the second word of the first line
            String statusLine = new String(answer, 0, Math.min(answer.length, 12), StandardCharsets.US_ASCII);
            return statusLine.length() == 12 ? Integer.parseInt(statusLine.substring(9, 12)) : -1;
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
