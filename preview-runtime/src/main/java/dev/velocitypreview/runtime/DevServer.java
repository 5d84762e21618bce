package dev.velocitypreview.runtime;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The project's own dev server (its {@code scripts.dev}) on a loopback port, started with the environment of the
 * templates' contract: {@code PORT}, {@code HOST=127.0.0.1}, {@code BROWSER=none}, {@code NEXT_TELEMETRY_DISABLED=1},
 * {@code npm_config_update_notifier=false}.
 */
final class DevServer implements AutoCloseable {

    static final String HOST = "127.0.0.1";
    private static final long PROBE_INTERVAL_MILLIS = 100;
    private static final int PROBE_READ_TIMEOUT_MILLIS = 60_000;
    private static final int MAX_PAGE_BYTES = 4 << 20;
    private static final Pattern MODULE_SCRIPT = Pattern.compile("<script\\b[^>]*\\btype\\s*=\\s*[\"']module[\"'][^>]*>",
            Pattern.CASE_INSENSITIVE);
    private static final Pattern SOURCE = Pattern.compile("\\bsrc\\s*=\\s*[\"']([^\"']+)[\"']", Pattern.CASE_INSENSITIVE);

    /** The dev server cannot serve: its exit code and last output, or the timeout, in the message. */
    static final class StartException extends Exception {
        StartException(String message) {
            super(message);
        }
    }

    /** What the first page took: its status and how many module scripts were fetched with it. */
    record FirstPage(int status, int moduleScripts) {
    }

    private final int port;
    private final ProjectProcess process;

    DevServer(int port, ProjectProcess process) {
        this.port = port;
        this.process = process;
    }

    /**
     * Runs the dev script the way {@code npm run dev} would, through {@code sh -c} with the project's
     * {@code node_modules/.bin} first on the PATH, but without npm: npm stays resident as the script's parent for as
     * long as the dev server runs, a Node process of about 58 MiB that a 256 MB machine cannot spare (scenario 11
     * of docs/benchmarks.md). The {@code npm_*} variables npm would add are not set; no template's tools read them.
     */
    static DevServer start(Path project, String script, int port, String previewDomain, RuntimeLog log)
            throws StartException {
        Map<String, String> env = new LinkedHashMap<>(environment(port, previewDomain));
        String path = System.getenv("PATH");
        String bin = project.resolve("node_modules").resolve(".bin").toString();
        env.put("PATH", path == null || path.isEmpty() ? bin : bin + java.io.File.pathSeparator + path);
        try {
            return new DevServer(port, new ProjectProcess(List.of("sh", "-c", script), project, env, "dev server", log));
        } catch (IOException e) {
            throw new StartException("cannot run the dev script with sh -c: " + e.getMessage());
        }
    }

    /**
     * What the dev server is told, beside the runtime's environment without its own {@code PREVIEW_*} variables:
     * {@code PREVIEW_DOMAIN} is the one of them passed on, on purpose, when the machine was given a preview domain.
     */
    static Map<String, String> environment(int port, String previewDomain) {
        Map<String, String> env = new LinkedHashMap<>(Map.of("PORT", Integer.toString(port), "HOST", HOST,
                "BROWSER", "none", "NEXT_TELEMETRY_DISABLED", "1", "npm_config_update_notifier", "false"));
        if (previewDomain != null) {
            env.put("PREVIEW_DOMAIN", previewDomain);
        }
        return Map.copyOf(env);
    }

    int port() {
        return port;
    }

    ProjectProcess process() {
        return process;
    }

    /**
     * Waits until {@code GET /} through {@code front} (the path a browser's request takes) is answered by the dev
     * server, then fetches the module scripts the page names (Vite compiles on request: once they answered, the
     * first compile is done).
     *
     * @param headers sent with every request (the replay state, when the front asks for one)
     */
    FirstPage awaitFirstPage(InetSocketAddress front, Map<String, String> headers, Duration timeout) throws StartException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            if (!process.isAlive()) {
                throw exited("before its first page");
            }
            Page page = fetch(front, "/", headers, deadline);
            // 502: the front could not reach the dev server yet
            if (page != null && page.status() != 502) {
                Set<String> scripts = moduleScripts(page.body());
                for (String script : scripts) {
                    fetch(front, script, headers, deadline);
                }
                return new FirstPage(page.status(), scripts.size());
            }
            if (System.nanoTime() > deadline) {
                throw new StartException("the dev server did not answer its first page within " + timeout.toSeconds()
                        + " s (--dev-start-timeout); last output:\n" + process.tail());
            }
            try {
                TimeUnit.MILLISECONDS.sleep(PROBE_INTERVAL_MILLIS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new StartException("interrupted while waiting for the dev server");
            }
        }
    }

    /** The dev server has ended: why, for health. */
    StartException exited(String when) {
        try {
            return new StartException("the dev server exited with code " + process.exitCode() + " " + when
                    + "; last output:\n" + process.tail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new StartException("the dev server exited " + when + "; last output:\n" + process.tail());
        }
    }

    @Override
    public void close() {
        process.close();
    }

    private record Page(int status, String body) {
    }

    /** One request on its own connection; null when the connection failed (nothing listens yet). */
    private static Page fetch(InetSocketAddress front, String path, Map<String, String> headers, long deadline) {
        try (Socket socket = new Socket()) {
            socket.connect(front, 2_000);
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            socket.setSoTimeout((int) Math.max(1, Math.min(PROBE_READ_TIMEOUT_MILLIS, left)));
            StringBuilder request = new StringBuilder("GET ").append(path).append(" HTTP/1.1\r\nHost: ")
                    .append(HOST).append(':').append(front.getPort()).append("\r\nAccept: */*\r\n");
            headers.forEach((name, value) -> request.append(name).append(": ").append(value).append("\r\n"));
            request.append("Connection: close\r\n\r\n");
            OutputStream out = socket.getOutputStream();
            out.write(request.toString().getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = new BufferedInputStream(socket.getInputStream());
            HttpHead head = HttpHead.read(in, 64 * 1024);
            if (head == null) {
                return null;
            }
            // a dev server answering without end is read no further
            BoundedBuffer body = new BoundedBuffer(MAX_PAGE_BYTES);
            try {
                if (!head.values("Transfer-Encoding").isEmpty()) {
                    PreviewFront.copyChunked(in, body);
                } else {
                    in.transferTo(body);
                }
            } catch (BoundedBuffer.Full e) {
                // the first MAX_PAGE_BYTES name the scripts, if any page does; the rest is not read
            }
            return new Page(head.status(), body.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            return null;
        }
    }

    /** The {@code src} of each {@code <script type="module">}, local ones only, in page order. */
    static Set<String> moduleScripts(String html) {
        Set<String> sources = new LinkedHashSet<>();
        Matcher tags = MODULE_SCRIPT.matcher(html);
        while (tags.find()) {
            Matcher source = SOURCE.matcher(tags.group());
            if (source.find() && source.group(1).startsWith("/") && !source.group(1).startsWith("//")) {
                sources.add(source.group(1));
            }
        }
        return sources;
    }
}
