package dev.velocitypreview.core.session;

import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The machine a session runs on, as its tier grants it. The session API decides it and the
 * provisioner applies it, so the size a user is promised is the size the machine gets.
 *
 * @param cpuKind  {@code shared} or {@code performance} (Fly.io's CPU kinds)
 * @param cpus     virtual CPUs, 1 to 64
 * @param memoryMb memory in MB, a multiple of 256 (Fly.io allocates memory in 256 MB steps)
 */
public record MachineSize(String cpuKind, int cpus, int memoryMb) {

    private static final Pattern WIRE = Pattern.compile("(shared|performance)-cpu-([0-9]{1,2})x:([0-9]{3,6})MB");

    public MachineSize {
        Objects.requireNonNull(cpuKind, "cpu-kind is required (shared or performance)");
        if (!"shared".equals(cpuKind) && !"performance".equals(cpuKind)) {
            throw new IllegalArgumentException("cpu-kind must be shared or performance, got '" + cpuKind + "'");
        }
        if (cpus < 1 || cpus > 64) {
            throw new IllegalArgumentException("cpus must be from 1 to 64, got " + cpus);
        }
        if (memoryMb < 256 || memoryMb > 256 * 1024 || memoryMb % 256 != 0) {
            throw new IllegalArgumentException("memory-mb must be a multiple of 256 from 256 to 262144, got " + memoryMb);
        }
    }

    /** The form used on the wire and in the database, named like Fly's presets: {@code shared-cpu-1x:256MB}. */
    public String wireName() {
        return cpuKind + "-cpu-" + cpus + "x:" + memoryMb + "MB";
    }

    /** @throws IllegalArgumentException when {@code raw} is not of the form {@code shared-cpu-1x:256MB} */
    public static MachineSize fromWire(String raw) {
        Matcher matcher = raw == null ? null : WIRE.matcher(raw);
        if (matcher == null || !matcher.matches()) {
            throw new IllegalArgumentException("machine size must look like shared-cpu-1x:256MB");
        }
        return new MachineSize(matcher.group(1), Integer.parseInt(matcher.group(2)), Integer.parseInt(matcher.group(3)));
    }

    @Override
    public String toString() {
        return wireName();
    }
}
