package dev.velocitypreview.core.edits;

import java.util.List;

/**
 * The platform's answer to a {@link SyncRequest}: the files whose stored version the machine does not have, and the
 * paths it holds that the project no longer has. Empty when the machine is up to date.
 */
public record SyncResponse(List<SyncedFile> files, List<String> deleted) {
    public SyncResponse {
        files = List.copyOf(files);
        deleted = List.copyOf(deleted);
    }

    public boolean isEmpty() {
        return files.isEmpty() && deleted.isEmpty();
    }
}
