package dev.velocitypreview.machines.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * How {@link LocalProcessDriver} runs machines as child processes. A null argument takes its default.
 *
 * @param root                where machine directories live, one {@code <root>/<machineId>/} each; required
 * @param javaCommand         the {@code java} executable for machines; default: this JVM's
 * @param classpath           classpath for machines, must hold preview-runtime and jackson-core;
 *                            default: just the jars of those two, as found in this JVM
 * @param jvmOptions          options for each machine's JVM; default small and quick to start
 * @param readyTimeout        how long {@link LocalProcessDriver#start} waits for a restarted machine; default 30 s
 * @param healthPollInterval  pause between looks at a starting runtime's health; default 25 ms
 * @param stopGrace           how long a stopping runtime may take before it is killed forcibly; default 2 s
 * @param stopMachinesOnClose whether closing the driver stops the machines it started (so that the next
 *                            driver on the same root can start them again); default false
 */
public record LocalMachinesSettings(Path root, String javaCommand, String classpath, List<String> jvmOptions,
                                    Duration readyTimeout, Duration healthPollInterval, Duration stopGrace,
                                    boolean stopMachinesOnClose) {

    public static final List<String> DEFAULT_JVM_OPTIONS =
            List.of("-Xss512k", "-Xmx64m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Xshare:auto",
                    "-XX:-UsePerfData");

    public LocalMachinesSettings {
        Objects.requireNonNull(root, "root == null");
        root = root.toAbsolutePath().normalize();
        javaCommand = javaCommand != null ? javaCommand
                : Path.of(System.getProperty("java.home"), "bin", "java").toString();
        classpath = classpath != null ? classpath : RuntimeClasspath.resolve();
        jvmOptions = jvmOptions != null ? List.copyOf(jvmOptions) : DEFAULT_JVM_OPTIONS;
        readyTimeout = positive("readyTimeout", readyTimeout, Duration.ofSeconds(30));
        healthPollInterval = positive("healthPollInterval", healthPollInterval, Duration.ofMillis(25));
        stopGrace = positive("stopGrace", stopGrace, Duration.ofSeconds(2));
        if (javaCommand.isBlank()) {
            throw new IllegalArgumentException("javaCommand must not be blank");
        }
        if (classpath.isBlank()) {
            throw new IllegalArgumentException("classpath must not be blank");
        }
    }

    /** Every default, machines under {@code root}. */
    public static LocalMachinesSettings defaults(Path root) {
        return new LocalMachinesSettings(root, null, null, null, null, null, null, false);
    }

    public LocalMachinesSettings withStopMachinesOnClose(boolean stop) {
        return new LocalMachinesSettings(root, javaCommand, classpath, jvmOptions, readyTimeout, healthPollInterval,
                stopGrace, stop);
    }

    private static Duration positive(String name, Duration value, Duration fallback) {
        if (value == null) {
            return fallback;
        }
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be positive, got " + value);
        }
        return value;
    }
}
