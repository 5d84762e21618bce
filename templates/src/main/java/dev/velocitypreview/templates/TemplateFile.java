package dev.velocitypreview.templates;

import java.util.Objects;

/**
 * One file of a template.
 *
 * @param path    relative, {@code '/'}-separated, never absolute and never with a {@code ..} segment
 * @param content the file's text (templates hold UTF-8 text only, no binary files)
 */
public record TemplateFile(String path, String content) {

    public TemplateFile {
        Objects.requireNonNull(path, "path == null");
        Objects.requireNonNull(content, "content == null");
        if (path.isEmpty() || path.startsWith("/") || path.contains("\\") || path.endsWith("/")) {
            throw new IllegalArgumentException("template file path must be relative and '/'-separated, got '" + path + "'");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty() || segment.equals(".") || segment.equals("..")) {
                throw new IllegalArgumentException("template file path must not have empty, '.' or '..' segments, got '" + path + "'");
            }
        }
    }
}
