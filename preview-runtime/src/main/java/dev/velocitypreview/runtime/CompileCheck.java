package dev.velocitypreview.runtime;

import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;

import dev.velocitypreview.core.edits.CompileError;

/**
 * Asks a project's dev server whether the project compiles after a sync wrote files, from what the dev server
 * answers (a status and the error object it embeds), never from its log. Each check is bounded; one that cannot tell
 * within its bound (the dev server is slow or restarting) finds no error: the files are on disk, and the next edit
 * is checked again. Called by the one sync thread.
 */
interface CompileCheck {

    /** For a project without a dev server, or one whose dev server gives no structured signal: nothing to ask. */
    CompileCheck NONE = changed -> null;

    /**
     * @param changed the project paths whose content was just written, in the answer's order
     * @return the first compile error the dev server reports, or null when it reports none
     */
    CompileError check(List<String> changed) throws InterruptedException;

    /**
     * The check for the project's framework, read from its root {@code package.json}: Next.js ({@code next}) or Vite
     * ({@code vite}: the react, react-native, vue and svelte templates); any other dev server gets {@link #NONE}.
     *
     * @param root the project root as the dev server sees it
     */
    static CompileCheck forDevServer(Path root, int port, HttpClient http, RuntimeLog log) throws IOException {
        Set<String> dependencies = PackageManifest.dependencies(root);
        if (dependencies.contains("next")) {
            return new NextCompileCheck(root, port, http, NextCompileCheck.BOUND, log);
        }
        if (dependencies.contains("vite")) {
            return new ViteCompileCheck(root, port, http, ViteCompileCheck.BOUND, log);
        }
        return NONE;
    }

    /**
     * One GET of {@code path} from the dev server within {@code timeout}, or null (logged) when it did not answer in
     * time or could not be reached: the check then cannot tell, and finds no error.
     *
     * @param path a checked project path, {@code /}-separated without a leading {@code /}, or empty for the page
     */
    static HttpResponse<String> fetch(HttpClient http, int port, String path, String accept, Duration timeout,
                                      RuntimeLog log) throws InterruptedException {
        URI uri;
        try {
            uri = new URI("http", null, DevServer.HOST, port, "/" + path, null, null);
        } catch (URISyntaxException e) {
            throw new IllegalStateException("a checked project path makes a URI: " + path, e);
        }
        try {
            return http.send(HttpRequest.newBuilder(uri).timeout(timeout).header("Accept", accept).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
        } catch (HttpTimeoutException e) {
            log.warn("compile check cut short", "reason", "no answer within " + timeout.toMillis() + " ms",
                    "path", "/" + path);
        } catch (IOException e) {
            log.warn("compile check cut short", "reason", "dev server not reachable: " + e, "path", "/" + path);
        }
        return null;
    }

    /**
     * {@code file} (an absolute path or a dev server's module id, maybe with a query) relative to the project root, or
     * null when it is not inside the project.
     */
    static String projectRelative(Path root, String file) {
        if (file == null) {
            return null;
        }
        String path = file;
        int query = path.indexOf('?');
        if (query >= 0) {
            path = path.substring(0, query);
        }
        for (Path base : List.of(root, realPath(root))) {
            String prefix = base.toString() + "/";
            if (path.startsWith(prefix) && path.length() > prefix.length()) {
                return path.substring(prefix.length());
            }
        }
        return null;
    }

    /** Between two asks of a dev server that still answered a former content: its watcher sees a write within milliseconds. */
    long STALE_PAUSE_MILLIS = 20;

    /** The file as it is on disk now, or null when it cannot be read (gone). */
    static String onDisk(Path root, String path) {
        try {
            return Files.readString(root.resolve(path));
        } catch (IOException e) {
            return null;
        }
    }

    /** A message without the machine's own directory in it: users see their project's paths. */
    static String withoutRoot(Path root, String message) {
        String shown = message;
        for (Path base : List.of(realPath(root), root)) {
            shown = shown.replace(base.toString() + "/", "");
        }
        return shown;
    }

    private static Path realPath(Path root) {
        try {
            return root.toRealPath();
        } catch (IOException e) {
            return root;
        }
    }

    static Duration remaining(long deadlineNanos) {
        return Duration.ofNanos(Math.max(1_000_000, deadlineNanos - System.nanoTime()));
    }
}
