package dev.velocitypreview.core.files;

import java.util.Objects;


/**
 * One change to one file of a project, part of a {@link FileCommand.Write}. {@code expectedVersion} is the
 * caller's {@code If-Match}: the change applies only while the file is at that version (and exists); null means
 * the last writer wins.
 */
public sealed interface FileChange {

    String path();

    Long expectedVersion();

    /** Creates the file or replaces its content. */
    record Put(String path, String content, Long expectedVersion) implements FileChange {
        public Put {
            Objects.requireNonNull(path, "path is required");
            Objects.requireNonNull(content, "content is required");
            requirePositive(expectedVersion);
        }
    }

    /** Removes the file. */
    record Delete(String path, Long expectedVersion) implements FileChange {
        public Delete {
            Objects.requireNonNull(path, "path is required");
            requirePositive(expectedVersion);
        }
    }

    private static void requirePositive(Long expectedVersion) {
        if (expectedVersion != null && expectedVersion < 1) {
            throw new IllegalArgumentException("expectedVersion must be at least 1, got " + expectedVersion);
        }
    }
}
