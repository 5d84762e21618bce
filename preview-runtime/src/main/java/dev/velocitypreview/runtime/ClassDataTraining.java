package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
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
            served = train(work, System.out);
        } finally {
            delete(work);
        }
        if (!served) {
            System.err.println("preview-runtime training: the runtime did not serve its page within " + BOUND);
        }
        // exit, not return: the runtime's own threads would keep the JVM, and the archive is written as it exits
        System.exit(served ? 0 : 1);
    }

    static boolean train(Path work, PrintStream logOut) throws IOException, InterruptedException {
        Path bundle = work.resolve("bundle.json");
        Files.writeString(bundle, "{\"sessionId\":\"00000000-0000-4000-8000-000000000000\",\"projectId\":"
                + "\"00000000-0000-4000-8000-000000000001\",\"files\":[{\"path\":\"index.html\",\"content\":\"" + PAGE
                + "\",\"directory\":false}]}", StandardCharsets.UTF_8);
        RuntimeOptions options = RuntimeOptions.parse(List.of("--port=0", "--bind=127.0.0.1",
                "--work-dir=" + work.resolve("project"), "--bundle=" + bundle), Map.of());
        HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
                .connectTimeout(Duration.ofSeconds(5)).build();
        long deadline = System.nanoTime() + BOUND.toNanos();
        try (PreviewRuntime runtime = PreviewRuntime.start(options, logOut, task -> {
            Thread materializer = new Thread(task, "preview-materializer");
            materializer.setDaemon(true);
            materializer.start();
        })) {
            URI base = URI.create("http://127.0.0.1:" + runtime.port());
            while (status(http, base.resolve(PreviewRuntime.HEALTH_PATH)) != 200) {
                if (System.nanoTime() > deadline) {
                    return false;
                }
                // a training run's own poll of a real process, not a test's synchronization
                Thread.sleep(10);
            }
            for (int i = 0; i < 20; i++) {
                if (status(http, base.resolve("/index.html")) != 200) {
                    return false;
                }
            }
            return true;
        }
    }

    private static int status(HttpClient http, URI uri) throws IOException, InterruptedException {
        return http.send(HttpRequest.newBuilder(uri).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString()).statusCode();
    }

    private static void delete(Path root) throws IOException {
        try (Stream<Path> paths = Files.walk(root)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
