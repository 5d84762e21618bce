package dev.velocitypreview.sessions.edits;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

import dev.velocitypreview.core.edits.FileState;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.files.FileRules;
import dev.velocitypreview.sessions.files.ProjectFileStore.FileEntry;
import dev.velocitypreview.sessions.files.ProjectFileStore.StoredFile;

/**
 * What a machine lacks of its project as stored: each stored file it does not hold at the stored version (without
 * content when its copy already has the stored content), and each of its paths the project no longer has. Content is
 * read only for the files whose version differs, so a sync of a machine that is up to date reads versions alone.
 */
public final class ManifestDiff {

    private ManifestDiff() {
    }

    /**
     * @param stored   the project's files as listed
     * @param contents reads the content of the given paths (a file removed since the listing is simply missing)
     * @param machine  the machine's manifest
     */
    public static SyncResponse between(List<FileEntry> stored, Function<Collection<String>, List<StoredFile>> contents,
                                       List<FileState> machine) {
        Map<String, FileState> held = new HashMap<>();
        for (FileState file : machine) {
            held.put(file.path(), file);
        }
        List<String> differing = new ArrayList<>();
        Set<String> storedPaths = new HashSet<>();
        for (FileEntry entry : stored) {
            storedPaths.add(entry.path());
            FileState copy = held.get(entry.path());
            if (copy == null || copy.version() != entry.version()) {
                differing.add(entry.path());
            }
        }
        List<SyncedFile> files = new ArrayList<>();
        if (!differing.isEmpty()) {
            for (StoredFile file : contents.apply(differing)) {
                // content and version from the same read of the row, whatever the listing said
                String sha256 = FileRules.sha256(file.content());
                FileState copy = held.get(file.path());
                boolean same = copy != null && copy.sha256().equalsIgnoreCase(sha256);
                files.add(new SyncedFile(file.path(), file.version(), sha256, same ? null : file.content()));
            }
            files.sort(java.util.Comparator.comparing(SyncedFile::path));
        }
        List<String> deleted = machine.stream().map(FileState::path).filter(path -> !storedPaths.contains(path))
                .distinct().sorted().toList();
        return new SyncResponse(files, deleted);
    }
}
