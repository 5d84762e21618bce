package dev.velocitypreview.testkit;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;

/**
 * The state directory of a platform a test class starts: its machines hold their projects' dependencies (hundreds of
 * MB for the templates), so it is removed once the platform stopped. Removal is best effort, not JUnit's
 * {@code @TempDir}: a machine process still writing while it goes would fail a test that passed.
 */
public final class TestDirectories {

    private TestDirectories() {
    }

    /** A new directory under the system's temporary directory, named from {@code prefix}. */
    public static Path create(String prefix) {
        try {
            return Files.createTempDirectory(prefix);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temporary directory " + prefix + "*", e);
        }
    }

    /** Removes the directory and all it holds; what cannot be removed stays, with a line on standard error. */
    public static void remove(Path directory) {
        if (directory == null) {
            return;
        }
        try (Stream<Path> all = Files.walk(directory)) {
            // children before their directory
            for (Path path : all.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        } catch (IOException | UncheckedIOException e) {
            System.err.println("test state directory " + directory + " not removed: " + e);
        }
    }
}
