package dev.velocitypreview.core.edits;

import java.util.Objects;

/** A file at one version: what a machine says it wrote. */
public record FileVersion(String path, long version) {
    public FileVersion {
        Objects.requireNonNull(path, "path == null");
    }
}
