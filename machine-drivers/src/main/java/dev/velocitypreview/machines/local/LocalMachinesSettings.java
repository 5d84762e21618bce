package dev.velocitypreview.machines.local;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

import jakarta.validation.constraints.NotBlank;

import dev.velocitypreview.core.config.PositiveDuration;

/**
 * How {@link LocalProcessDriver} runs machines as child processes. A null argument takes its default.
 * The Jakarta constraints on the fields are checked when a driver is made with these settings.
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
public record LocalMachinesSettings(Path root, @NotBlank String javaCommand, @NotBlank String classpath,
                                    List<String> jvmOptions, @PositiveDuration Duration readyTimeout,
                                    @PositiveDuration Duration healthPollInterval, @PositiveDuration Duration stopGrace,
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
        readyTimeout = readyTimeout != null ? readyTimeout : Duration.ofSeconds(30);
        healthPollInterval = healthPollInterval != null ? healthPollInterval : Duration.ofMillis(25);
        stopGrace = stopGrace != null ? stopGrace : Duration.ofSeconds(2);
    }

    /** Every default, machines under {@code root}. */
    public static LocalMachinesSettings defaults(Path root) {
        return new LocalMachinesSettings(root, null, null, null, null, null, null, false);
    }

    public LocalMachinesSettings withStopMachinesOnClose(boolean stop) {
        return new LocalMachinesSettings(root, javaCommand, classpath, jvmOptions, readyTimeout, healthPollInterval,
                stopGrace, stop);
    }
}
