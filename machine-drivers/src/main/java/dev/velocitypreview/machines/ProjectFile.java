package dev.velocitypreview.machines;

import java.util.Objects;

/** One entry of a project as stored in {@code project_files}; paths are checked by the runtime, not here. */
public record ProjectFile(String path, String content, boolean directory) {
    public ProjectFile {
        Objects.requireNonNull(path, "path == null");
        if (!directory) {
            Objects.requireNonNull(content, "content == null for file " + path);
        }
    }
}
