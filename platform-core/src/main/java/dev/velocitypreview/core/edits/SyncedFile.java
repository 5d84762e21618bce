package dev.velocitypreview.core.edits;

import java.util.Objects;

/**
 * One file of a sync answer: its newest version and content hash, and its content unless the machine's copy already
 * has that hash (then only the version is news to it). The machine takes it as the file's content and version: the
 * answers to one machine come one at a time, each from a later read of the stored project than the one before, so a
 * file never goes back to an older content (a version alone may go down after a file was removed and made again).
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
