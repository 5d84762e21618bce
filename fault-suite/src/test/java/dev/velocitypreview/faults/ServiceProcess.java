package dev.velocitypreview.faults;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * One service of the platform as its own OS process, on this JVM's class path, its output in a
 * log file of its own per incarnation ({@code <logs>/<name>-<n>.log}). Can be killed with SIGKILL
 * ({@link #kill9()}) or stopped politely ({@link #stop()}) and started again with the same arguments.
 */
final class ServiceProcess {

    /**
     * How long a start may take before it counts as failed; a process that dies fails the wait at once, so this bounds
     * only a start that never comes. Beside another full build a provisioner took 139 s from its start to its relay
     * streaming (startup recovery alone 64 s), past the 90 s this was.
     */
    private static final Duration START_PATIENCE = Duration.ofMinutes(5);
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final String classpath;
    private final Class<?> mainClass;
    private final List<String> args;
    private final Path logs;
    private final URI readiness;
    private int incarnation;
    private Process process;
    private Path log;

    /**
     * @param readiness the readiness endpoint to wait for, or null when readiness is told another way
     */
    ServiceProcess(String name, String classpath, Class<?> mainClass, List<String> args, Path logs, URI readiness) {
        this.name = name;
        this.classpath = classpath;
        this.mainClass = mainClass;
        this.args = List.copyOf(args);
        this.logs = logs;
        this.readiness = readiness;
    }

    String name() {
        return name;
    }

    /** Launches a new incarnation; returns at once. */
    synchronized ServiceProcess start() {
        if (isAlive()) {
            throw new IllegalStateException(name + " is already running (pid " + process.pid() + ")");
        }
        incarnation++;
        log = logs.resolve(name + "-" + incarnation + ".log");
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m", "-Xss512k", "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-XX:-UsePerfData",
                "-cp", classpath,
                mainClass.getName()));
        command.addAll(args);
        try {
            Files.createDirectories(logs);
            process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start " + name, e);
        }
        return this;
    }

    /** Waits until the service answers ready on its readiness URL. */
    ServiceProcess awaitReady() {
        return awaitReady(this::isReady, "answers ready on " + readiness);
    }

    /**
     * Waits until {@code ready} holds, failing at once if the process died: state seen from outside, or a line of this
     * incarnation's log where the state has no other outlet (a provisioner's relay).
     */
    ServiceProcess awaitReady(BooleanSupplier ready, String what) {
        await().atMost(START_PATIENCE).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            assertThat(isAlive()).as(name + " is running, see " + log).isTrue();
            assertThat(ready.getAsBoolean()).as(name + " " + what + ", see " + log).isTrue();
        });
        return this;
    }

    boolean isReady() {
        try {
            HttpResponse<Void> response = HTTP.send(HttpRequest.newBuilder(readiness).timeout(Duration.ofSeconds(2))
                    .build(), HttpResponse.BodyHandlers.discarding());
            return response.statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** SIGKILL: no shutdown hook, no flush, no goodbye. Waits until the process is gone. */
    synchronized void kill9() {
        if (process == null) {
            return;
        }
        process.destroyForcibly();
        waitFor(Duration.ofSeconds(20));
    }

    /** SIGTERM, then SIGKILL after a grace period. */
    synchronized void stop() {
        if (process == null || !process.isAlive()) {
            return;
        }
        process.destroy();
        if (!waitFor(Duration.ofSeconds(30))) {
            kill9();
        }
    }

    synchronized boolean isAlive() {
        return process != null && process.isAlive();
    }

    synchronized long pid() {
        return process.pid();
    }

    /** How many lines of this incarnation's output so far contain {@code text}. */
    int logLines(String text) {
        return (int) logText().lines().filter(line -> line.contains(text)).count();
    }

    /** This incarnation's output so far. */
    synchronized String logText() {
        try {
            return log == null || !Files.exists(log) ? "" : Files.readString(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    synchronized Path log() {
        return log;
    }

    private boolean waitFor(Duration max) {
        try {
            return process.waitFor(max.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while waiting for " + name + " to end", e);
        }
    }

    @Override
    public String toString() {
        return name + "#" + incarnation;
    }
}
