package dev.velocitypreview.core.files;

import java.time.Instant;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;

/**
 * A change to a project's files, published by the API to {@code preview.project-file-commands} (keyed by project
 * id, so one project's writes are applied in order) and applied by the provisioner, the only writer of
 * {@code project_files}. The provisioner records each {@code commandId} with its outcome, so a redelivered command
 * gets the stored {@link FileOutcome} instead of being applied twice.
 */
public sealed interface FileCommand {

    UUID commandId();

    UUID projectId();

    /** Who asks; the provisioner applies the command only to a project this user owns. */
    String userId();

    Instant issuedAt();

    /**
     * Puts and deletes applied together, all or nothing; one change per path.
     */
    record Write(UUID commandId, UUID projectId, String userId, List<FileChange> changes, Instant issuedAt)
            implements FileCommand {
        public Write {
            Objects.requireNonNull(commandId, "commandId is required");
            Objects.requireNonNull(projectId, "projectId is required");
            Objects.requireNonNull(userId, "userId is required");
            Objects.requireNonNull(issuedAt, "issuedAt is required");
            Objects.requireNonNull(changes, "changes is required");
            if (userId.isBlank()) {
                throw new IllegalArgumentException("userId must not be blank");
            }
            changes = List.copyOf(changes);
            if (changes.isEmpty()) {
                throw new IllegalArgumentException("changes must hold at least one change");
            }
            Set<String> paths = new HashSet<>();
            for (FileChange change : changes) {
                if (!paths.add(change.path())) {
                    throw new IllegalArgumentException("changes name path " + change.path() + " more than once");
                }
            }
        }
    }
}
