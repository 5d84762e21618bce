package dev.velocitypreview.core.edits;

import java.util.Objects;
import java.util.UUID;

/**
 * One change of {@code project_files} as the CDC relay publishes it to {@code preview.project-files}, keyed by project
 * id: which file, its version, whether it was removed. It carries no content: whoever acts on it reads the stored
 * project, so a notice that arrives late or twice can bring nothing older than the database holds.
 *
 * @param version the version written; 0 for a removed file (a delete's before-image holds only the project and path)
 */
public record ProjectFileNotice(UUID projectId, String path, long version, boolean deleted) {
    public ProjectFileNotice {
        Objects.requireNonNull(projectId, "projectId == null");
        Objects.requireNonNull(path, "path == null");
    }
}
