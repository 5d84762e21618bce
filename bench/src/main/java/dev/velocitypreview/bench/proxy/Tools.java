package dev.velocitypreview.bench.proxy;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/** Finds the outside programs scenario 4 needs, and installs them from Debian's packages when allowed to. */
public final class Tools {

    /** Debian installs nginx in sbin, which a non-root PATH often leaves out. */
    private static final List<String> EXTRA_DIRS = List.of("/usr/sbin", "/usr/local/sbin", "/sbin");

    private Tools() {
    }

    public static Optional<Path> find(String name) {
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : (path + File.pathSeparator + String.join(File.pathSeparator, EXTRA_DIRS))
                .split(File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path candidate = Path.of(dir, name);
            if (Files.isExecutable(candidate)) {
                return Optional.of(candidate);
            }
        }
        return Optional.empty();
    }

    /**
     * Runs {@code apt-get install -y <packages>} when apt-get is there and this process runs as root.
     *
     * @return why nothing was installed, or empty when apt-get succeeded
     */
    static Optional<String> install(List<String> packages) {
        Optional<Path> aptGet = find("apt-get");
        if (aptGet.isEmpty()) {
            return Optional.of("apt-get is not available");
        }
        if (!"root".equals(System.getProperty("user.name"))) {
            return Optional.of("installing needs root (`sudo apt-get install -y " + String.join(" ", packages) + "`)");
        }
        System.out.println("bench: installing " + String.join(" ", packages) + " with apt-get");
        try {
            Process process = new ProcessBuilder(concat(List.of(aptGet.get().toString(), "install", "-y", "-q"), packages))
                    .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            if (!process.waitFor(5, TimeUnit.MINUTES)) {
                process.destroyForcibly();
                return Optional.of("apt-get install did not finish within 5 minutes");
            }
            return process.exitValue() == 0 ? Optional.empty()
                    : Optional.of("apt-get install exited with " + process.exitValue());
        } catch (IOException e) {
            return Optional.of("apt-get could not run: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Optional.of("interrupted while installing");
        }
    }

    private static List<String> concat(List<String> a, List<String> b) {
        return java.util.stream.Stream.concat(a.stream(), b.stream()).toList();
    }
}
