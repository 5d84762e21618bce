package dev.velocitypreview.runtime;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A process the runtime starts for the project ({@code npm ci}, the dev script): its output (stdout and
 * stderr together) goes to the runtime's log line by line, the last lines are kept for error reports, and
 * {@link #close} ends its whole process tree.
 *
 * <p>The project's code is untrusted (any npm package): its processes get the runtime's environment without
 * the runtime's own {@code PREVIEW_*} variables, the replay-state secret and the sync token among them.
 */
final class ProjectProcess implements AutoCloseable {

    /** Longer lines are cut: a process printing without end of line must not make the runtime buffer without end. */
    static final int MAX_LINE_CHARS = 8 * 1024;
    private static final int TAIL_LINES = 30;
    private static final int TAIL_CHARS = 3000;
    private static final Duration STOP_GRACE = Duration.ofSeconds(5);
    private static final long READER_STACK_BYTES = 128 * 1024;

    private final Process process;
    private final Deque<String> tail = new ArrayDeque<>();
    private final Thread reader;

    /**
     * @param name what the log lines call the process ({@code npm ci}, {@code dev server})
     * @param env  added to the runtime's environment (without its {@code PREVIEW_*} variables)
     */
    ProjectProcess(List<String> command, Path directory, Map<String, String> env, String name, RuntimeLog log)
            throws IOException {
        this(command, directory, System.getenv(), env, name, log);
    }

    /** @param inherited the runtime's environment, of which the process gets all but the {@code PREVIEW_*} variables */
    ProjectProcess(List<String> command, Path directory, Map<String, String> inherited, Map<String, String> env,
                   String name, RuntimeLog log) throws IOException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(directory.toFile()).redirectErrorStream(true);
        Map<String, String> environment = builder.environment();
        environment.clear();
        environment.putAll(inherited);
        environment.keySet().removeIf(variable -> variable.startsWith("PREVIEW_"));
        environment.putAll(env);
        this.process = builder.start();
        process.getOutputStream().close();
        this.reader = new Thread(null, () -> readOutput(name, log), "preview-output-" + process.pid(), READER_STACK_BYTES);
        reader.setDaemon(true);
        reader.start();
    }

    long pid() {
        return process.pid();
    }

    CompletableFuture<Process> onExit() {
        return process.onExit();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** The exit code once the process ended and its output was read to the end. */
    int awaitExit(Duration timeout) throws TimeoutException, InterruptedException {
        if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            throw new TimeoutException("still running after " + timeout.toMillis() + " ms");
        }
        reader.join(STOP_GRACE.toMillis());
        return process.exitValue();
    }

    /** The exit code of a process that has ended, after its last output was read. */
    int exitCode() throws InterruptedException {
        reader.join(STOP_GRACE.toMillis());
        return process.waitFor();
    }

    /** The last lines of output, at most {@value #TAIL_CHARS} characters. */
    String tail() {
        List<String> lines;
        synchronized (tail) {
            lines = new ArrayList<>(tail);
        }
        String joined = String.join("\n", lines);
        return joined.length() <= TAIL_CHARS ? joined : "..." + joined.substring(joined.length() - TAIL_CHARS);
    }

    /** Ends the process and everything it started (npm starts a shell, which starts the dev server): politely, then by force. */
    @Override
    public void close() {
        List<ProcessHandle> tree = new ArrayList<>(process.toHandle().descendants().toList());
        tree.add(process.toHandle());
        tree.forEach(ProcessHandle::destroy);
        if (!awaitExit(tree, STOP_GRACE)) {
            tree.forEach(ProcessHandle::destroyForcibly);
            awaitExit(tree, STOP_GRACE);
        }
    }

    private static boolean awaitExit(List<ProcessHandle> tree, Duration timeout) {
        try {
            CompletableFuture.allOf(tree.stream().map(ProcessHandle::onExit).toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (ExecutionException e) {
            throw new IllegalStateException("waiting for a process exit cannot fail", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The next line, its first {@value #MAX_LINE_CHARS} characters and a mark when it was longer; null at the end. */
    static String boundedLine(Reader in) throws IOException {
        StringBuilder line = new StringBuilder();
        boolean cut = false;
        int c;
        while ((c = in.read()) >= 0 && c != '\n') {
            if (line.length() < MAX_LINE_CHARS) {
                line.append((char) c);
            } else {
                cut = true;
            }
        }
        if (c < 0 && line.isEmpty() && !cut) {
            return null;
        }
        if (!cut && !line.isEmpty() && line.charAt(line.length() - 1) == '\r') {
            line.setLength(line.length() - 1);
        }
        return cut ? line.append(" [cut]").toString() : line.toString();
    }

    private void readOutput(String name, RuntimeLog log) {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = boundedLine(lines)) != null) {
                if (line.isBlank()) {
                    continue;
                }
                log.info(name + " output", "line", line);
                synchronized (tail) {
                    tail.addLast(line);
                    if (tail.size() > TAIL_LINES) {
                        tail.removeFirst();
                    }
                }
            }
        } catch (IOException e) {
            // the process is gone and took its pipe with it
        }
    }
}
