package dev.velocitypreview.sessions.edits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.core.edits.FileState;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.files.FileRules;
import dev.velocitypreview.sessions.files.ProjectFileStore.FileEntry;
import dev.velocitypreview.sessions.files.ProjectFileStore.StoredFile;

class ManifestDiffTest {

    @Test
    void anUpToDateMachineCostsNoContentRead() {
        List<Collection<String>> read = new ArrayList<>();
        SyncResponse answer = ManifestDiff.between(List.of(entry("a.txt", 2)), paths -> {
            read.add(paths);
            return List.of();
        }, List.of(new FileState("a.txt", 2, "whatever its copy hashes to")));

        assertThat(answer.isEmpty()).isTrue();
        assertThat(read).isEmpty();
    }

    @Test
    void aFileRemovedBetweenListingAndReadingIsLeftForTheNextSync() {
        SyncResponse answer = ManifestDiff.between(List.of(entry("a.txt", 1), entry("b.txt", 4)),
                paths -> List.of(new StoredFile("b.txt", "B5", 5, 2, Instant.EPOCH)), List.of());

        // the version read with the content, not the listing's
        assertThat(answer.files()).containsExactly(new SyncedFile("b.txt", 5, FileRules.sha256("B5"), "B5"));
        assertThat(answer.deleted()).isEmpty();
    }

    private static FileEntry entry(String path, long version) {
        return new FileEntry(path, version, 1, Instant.EPOCH);
    }
}
