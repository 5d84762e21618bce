package dev.velocitypreview.runtime;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A path inside the project as the bundle names it, checked to stay inside the work directory
 * whatever file system it lands on: relative, forward slashes only, no {@code ..}, no control
 * characters. "." and empty segments are dropped, so {@code ./src//app.js} is {@code src/app.js}.
 *
 * @param raw      the path as given, for messages
 * @param segments the names from the work directory down, at least one
 */
record ProjectPath(String raw, List<String> segments) {

    static final int MAX_LENGTH = 1024;
    static final int MAX_SEGMENT_BYTES = 255;

    ProjectPath {
        segments = List.copyOf(segments);
        if (segments.isEmpty()) {
            throw new IllegalArgumentException("segments is empty");
        }
    }

    /** @throws MaterializationException naming {@code raw} and why it is refused */
    static ProjectPath parse(String raw) throws MaterializationException {
        if (raw.isEmpty()) {
            throw MaterializationException.refused(raw, "empty path");
        }
        if (raw.length() > MAX_LENGTH) {
            throw MaterializationException.refused(raw, "path is longer than " + MAX_LENGTH + " characters");
        }
        for (int i = 0; i < raw.length(); i++) {
            char c = raw.charAt(i);
            if (Character.isISOControl(c)) {
                throw MaterializationException.refused(raw,
                        String.format("path contains the control character U+%04X", (int) c));
            }
            if (c == '\\') {
                throw MaterializationException.refused(raw, "path contains a backslash");
            }
        }
        if (raw.length() >= 2 && raw.charAt(1) == ':' && isAsciiLetter(raw.charAt(0))) {
            throw MaterializationException.refused(raw, "path starts with a drive letter");
        }
        if (raw.startsWith("/")) {
            throw MaterializationException.refused(raw, "path is absolute");
        }
        List<String> segments = new ArrayList<>();
        for (String segment : raw.split("/", -1)) {
            if (segment.equals("..")) {
                throw MaterializationException.refused(raw, "path leaves the work directory");
            }
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.getBytes(StandardCharsets.UTF_8).length > MAX_SEGMENT_BYTES) {
                throw MaterializationException.refused(raw, "path has a name longer than " + MAX_SEGMENT_BYTES + " bytes");
            }
            segments.add(segment);
        }
        if (segments.isEmpty()) {
            throw MaterializationException.refused(raw, "path names the work directory itself");
        }
        return new ProjectPath(raw, segments);
    }

    /** The normalized form, {@code a/b/c}. */
    String normalized() {
        return String.join("/", segments);
    }

    Path under(Path root) {
        Path path = root;
        for (String segment : segments) {
            path = path.resolve(segment);
        }
        return path;
    }

    /** Every ancestor inside the project, shortest first: {@code a}, {@code a/b} for {@code a/b/c}. */
    List<String> ancestors() {
        List<String> ancestors = new ArrayList<>();
        for (int i = 1; i < segments.size(); i++) {
            ancestors.add(String.join("/", segments.subList(0, i)));
        }
        return ancestors;
    }

    private static boolean isAsciiLetter(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    /** {@code 'raw'} with control characters escaped and long values cut, safe for a log line or a report. */
    static String quote(String raw) {
        StringBuilder quoted = new StringBuilder("'");
        int shown = Math.min(raw.length(), 200);
        for (int i = 0; i < shown; i++) {
            char c = raw.charAt(i);
            if (Character.isISOControl(c)) {
                quoted.append(String.format("\\u%04x", (int) c));
            } else {
                quoted.append(c);
            }
        }
        if (shown < raw.length()) {
            quoted.append("...");
        }
        return quoted.append('\'').toString();
    }
}
