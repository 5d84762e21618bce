package dev.velocitypreview.sessions.files;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/**
 * Reads of {@code projects} and {@code project_files}, as the provisioner wrote them. Every method throws
 * {@link FilesNotConfiguredException} when the API has no datasource, and Spring's
 * {@code DataAccessException} when the database fails.
 */
public interface ProjectFileStore {

    /** The store of an API without a files datasource: every call throws {@link FilesNotConfiguredException}. */
    static ProjectFileStore unconfigured() {
        return new UnconfiguredProjectFileStore();
    }

    /** False for a project that does not exist as for one of another user: the caller cannot tell them apart. */
    boolean owns(UUID projectId, String userId);

    Optional<StoredFile> file(UUID projectId, String path);

    /** The project's files (not directories), sorted by path. */
    List<FileEntry> list(UUID projectId);

    /** The content and version of those of {@code paths} the project has as files (in no particular order). */
    List<StoredFile> files(UUID projectId, Collection<String> paths);

    /** One file's content and version. */
    record StoredFile(String path, String content, long version, long size, Instant updatedAt) {
    }

    /** One file as listed. */
    record FileEntry(String path, long version, long size, Instant updatedAt) {
    }
}
