package dev.velocitypreview.core.edits;

import java.util.Objects;

/**
 * What a preview machine holds of one file when it syncs: its path, the version it was given ({@code 0} for a file it
 * has from its start, whose version it was never told) and the SHA-256 of its content in lower-case hex.
 */
public record FileState(String path, long version, String sha256) {
    public FileState {
        Objects.requireNonNull(path, "path == null");
        Objects.requireNonNull(sha256, "sha256 == null");
        if (version < 0) {
            throw new IllegalArgumentException("version of " + path + " is negative: " + version);
        }
    }
}
