package dev.velocitypreview.sessions.files;

import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.UUID;

/** The store of an API without a files datasource: every read is refused, so every files endpoint answers 503. */
final class UnconfiguredProjectFileStore implements ProjectFileStore {

    @Override
    public boolean owns(UUID projectId, String userId) {
        throw new FilesNotConfiguredException();
    }

    @Override
    public Optional<StoredFile> file(UUID projectId, String path) {
        throw new FilesNotConfiguredException();
    }

    @Override
    public List<FileEntry> list(UUID projectId) {
        throw new FilesNotConfiguredException();
    }

    @Override
    public List<StoredFile> files(UUID projectId, Collection<String> paths) {
        throw new FilesNotConfiguredException();
    }
}
