package dev.velocitypreview.core.edits;

import java.util.List;

/**
 * A machine's sync: every file it holds, and what became of the answers it applied since its last sync. The platform
 * answers with what differs from the project as stored, waiting a while for a change when nothing differs.
 */
public record SyncRequest(List<FileState> files, List<EditResult> results) {
    public SyncRequest {
        files = List.copyOf(files);
        results = List.copyOf(results);
    }
}
