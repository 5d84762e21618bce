package dev.velocitypreview.core.edits;

import java.util.Objects;

/**
 * One file of a sync answer: its newest version and content hash, and its content unless the machine's copy already
 * has that hash (then only the version is news to it). A machine writes it only when {@code version} is newer than the
 * version it holds.
 *
 * @param content the file's text, or null when the machine's copy is already this content
 */
public record SyncedFile(String path, long version, String sha256, String content) {
    public SyncedFile {
        Objects.requireNonNull(path, "path == null");
        Objects.requireNonNull(sha256, "sha256 == null");
        if (version < 1) {
            throw new IllegalArgumentException("version of " + path + " must be at least 1, got " + version);
        }
    }
}
