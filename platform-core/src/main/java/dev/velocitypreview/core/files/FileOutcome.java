package dev.velocitypreview.core.files;

import java.util.List;
import java.util.Objects;
import java.util.UUID;

/**
 * The provisioner's answer to a {@link FileCommand}, sent on {@code preview.project-file-replies} with
 * spring-kafka's correlation headers, and stored with the command id so a redelivery gets the same answer.
 */
public sealed interface FileOutcome {

    UUID commandId();

    /** Every change was applied, in one transaction; one result per changed path, in the command's order. */
    record Applied(UUID commandId, List<FileResult> files) implements FileOutcome {
        public Applied {
            Objects.requireNonNull(commandId, "commandId is required");
            files = List.copyOf(Objects.requireNonNull(files, "files is required"));
        }
    }

    /** Nothing was changed, for the reason given. */
    record Refused(UUID commandId, FileRefusal refusal) implements FileOutcome {
        public Refused {
            Objects.requireNonNull(commandId, "commandId is required");
            Objects.requireNonNull(refusal, "refusal is required");
        }
    }

    /**
     * One file after the change: its new {@code version}, {@code size} in bytes and content {@code sha256}; for a
     * delete, {@code deleted} with the version it had and size 0 (and the hash of nothing).
     */
    record FileResult(String path, long version, long size, String sha256, boolean deleted) {
        public FileResult {
            Objects.requireNonNull(path, "path is required");
            Objects.requireNonNull(sha256, "sha256 is required");
            if (version < 1) {
                throw new IllegalArgumentException("version must be at least 1, got " + version);
            }
            if (size < 0) {
                throw new IllegalArgumentException("size must not be negative, got " + size);
            }
        }
    }
}
