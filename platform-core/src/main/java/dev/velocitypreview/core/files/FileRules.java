package dev.velocitypreview.core.files;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Set;

import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * What a project's files may be, in one place: the API checks a change before it publishes it and the provisioner
 * checks it again where it applies it (it never trusts the API). Each broken rule is its own {@link FileRefusal}
 * code, naming the path and the limit.
 *
 * <p>Paths are relative, {@code /}-separated, with no empty, {@code .} or {@code ..} segment, no backslash (a
 * separator on Windows, and a way to smuggle {@code ..\}), no control character, and no {@code .git} or
 * {@code node_modules} segment: the runtime owns those directories in a machine (dependencies are installed there
 * from the lockfile, never uploaded), and a project file under them would be overwritten or would shadow them.
 * Content is UTF-8 text without NUL (the column is {@code text}). {@code package.json} must be a JSON object and
 * {@code package-lock.json} JSON with a {@code lockfileVersion}, as npm needs them to install.
 *
 * <p>The runtime's own limits ({@code FileLimits} in preview-runtime) equal the defaults' file, count and total.
 *
 * @param maxPathLength the longest path, in characters
 * @param maxFileBytes  the largest file, in UTF-8 bytes
 * @param maxFiles      the most files one project may hold
 * @param maxTotalBytes the largest sum of a project's file sizes, in UTF-8 bytes
 */
public record FileRules(int maxPathLength, int maxFileBytes, int maxFiles, long maxTotalBytes) {

    /** 512 characters, 1 MiB a file, 5000 files, 50 MiB a project. */
    public static final FileRules DEFAULTS = new FileRules(512, 1 << 20, 5000, 50L << 20);

    /** Directories the runtime owns in a machine; see the class comment. */
    static final Set<String> RESERVED_SEGMENTS = Set.of(".git", "node_modules");

    private static final JsonMapper JSON = JsonMapper.builder().build();
    private static final int BAD_REQUEST = 400;
    private static final int CONTENT_TOO_LARGE = 413;
    private static final int UNSUPPORTED_MEDIA_TYPE = 415;

    public FileRules {
        if (maxPathLength < 1 || maxFileBytes < 1 || maxFiles < 1 || maxTotalBytes < 1) {
            throw new IllegalArgumentException("every file limit must be at least 1");
        }
    }

    /** @throws FileRefusedException naming the rule the path breaks */
    public void checkPath(String path) {
        if (path == null || path.isEmpty()) {
            throw refused(FileRefusal.EMPTY_SEGMENT, BAD_REQUEST, path, "the path is empty");
        }
        if (path.length() > maxPathLength) {
            throw refused(FileRefusal.PATH_TOO_LONG, BAD_REQUEST, null, "the path is " + path.length()
                    + " characters long, the limit is " + maxPathLength);
        }
        for (int i = 0; i < path.length(); i++) {
            char c = path.charAt(i);
            if (Character.isISOControl(c)) {
                throw refused(FileRefusal.CONTROL_CHARACTER, BAD_REQUEST, null, "the path holds the control character U+"
                        + HexFormat.of().withUpperCase().toHexDigits(c) + " at index " + i + "; paths must not hold NUL "
                        + "or control characters");
            }
            if (c == '\\') {
                throw refused(FileRefusal.BACKSLASH, BAD_REQUEST, path, "path " + path + " holds a backslash; use '/' "
                        + "to separate directories");
            }
        }
        if (path.startsWith("/")) {
            throw refused(FileRefusal.ABSOLUTE_PATH, BAD_REQUEST, path, "path " + path + " is absolute; paths are "
                    + "relative to the project root");
        }
        for (String segment : path.split("/", -1)) {
            if (segment.isEmpty()) {
                throw refused(FileRefusal.EMPTY_SEGMENT, BAD_REQUEST, path, "path " + path + " has an empty segment");
            }
            if (segment.equals(".") || segment.equals("..")) {
                throw refused(FileRefusal.DOT_SEGMENT, BAD_REQUEST, path, "path " + path + " has a '" + segment
                        + "' segment; paths must not leave or name their directory");
            }
            if (RESERVED_SEGMENTS.contains(segment)) {
                throw refused(FileRefusal.RESERVED_SEGMENT, BAD_REQUEST, path, "path " + path + " is under " + segment
                        + ", which the preview machine owns (" + String.join(" and ", RESERVED_SEGMENTS.stream()
                        .sorted().toList()) + " are never project files)");
            }
        }
    }

    /**
     * Checks a file's bytes and returns them as text.
     *
     * @throws FileRefusedException when the file is too large, is not UTF-8 text, or is a malformed manifest
     */
    public String checkContent(String path, byte[] bytes) {
        if (bytes.length > maxFileBytes) {
            throw refused(FileRefusal.FILE_TOO_LARGE, CONTENT_TOO_LARGE, path, "file " + path + " is " + bytes.length
                    + " bytes, the limit is " + maxFileBytes + " bytes");
        }
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(bytes)).toString();
        } catch (CharacterCodingException e) {
            throw binary(path, "is not valid UTF-8");
        }
        return checkContent(path, text);
    }

    /**
     * Checks a file's text (as the provisioner gets it from a command) and returns it.
     *
     * @throws FileRefusedException when the file is too large, holds NUL, or is a malformed manifest
     */
    public String checkContent(String path, String text) {
        long size = sizeOf(text);
        if (size > maxFileBytes) {
            throw refused(FileRefusal.FILE_TOO_LARGE, CONTENT_TOO_LARGE, path, "file " + path + " is " + size
                    + " bytes, the limit is " + maxFileBytes + " bytes");
        }
        if (text.indexOf('\0') >= 0) {
            throw binary(path, "holds NUL characters");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            boolean paired = Character.isHighSurrogate(c) && i + 1 < text.length()
                    && Character.isLowSurrogate(text.charAt(i + 1));
            if (paired) {
                i++;
            } else if (Character.isSurrogate(c)) {
                throw binary(path, "is not valid UTF-8 (a lone surrogate at index " + i + ")");
            }
        }
        if (path.equals("package.json") || path.endsWith("/package.json")) {
            JsonNode manifest = parse(text);
            if (manifest == null || !manifest.isObject()) {
                throw refused(FileRefusal.INVALID_PACKAGE_JSON, BAD_REQUEST, path, path + " must be a JSON object");
            }
        }
        if (path.equals("package-lock.json") || path.endsWith("/package-lock.json")) {
            JsonNode lock = parse(text);
            if (lock == null || !lock.isObject() || !lock.path("lockfileVersion").isIntegralNumber()) {
                throw refused(FileRefusal.INVALID_PACKAGE_LOCK, BAD_REQUEST, path, path
                        + " must be a JSON object with a numeric lockfileVersion, as npm writes it");
            }
        }
        return text;
    }

    /** @throws FileRefusedException when a project would hold too many files or bytes after a change */
    public void checkProject(long files, long totalBytes) {
        if (files > maxFiles) {
            throw refused(FileRefusal.TOO_MANY_FILES, CONTENT_TOO_LARGE, null, "the project would hold " + files
                    + " files, the limit is " + maxFiles);
        }
        if (totalBytes > maxTotalBytes) {
            throw refused(FileRefusal.PROJECT_TOO_LARGE, CONTENT_TOO_LARGE, null, "the project would hold " + totalBytes
                    + " bytes, the limit is " + maxTotalBytes + " bytes");
        }
    }

    /** The size of {@code text} as stored and served: its UTF-8 bytes. */
    public static long sizeOf(String text) {
        long size = 0;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c < 0x80) {
                size += 1;
            } else if (c < 0x800) {
                size += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < text.length() && Character.isLowSurrogate(text.charAt(i + 1))) {
                size += 4;
                i++;
            } else {
                size += 3;
            }
        }
        return size;
    }

    /** The lower-case hex SHA-256 of {@code text}'s UTF-8 bytes. */
    public static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    private static JsonNode parse(String text) {
        try {
            return JSON.readTree(text);
        } catch (JacksonException e) {
            return null;
        }
    }

    private static FileRefusedException binary(String path, String why) {
        return refused(FileRefusal.BINARY_CONTENT, UNSUPPORTED_MEDIA_TYPE, path, "file " + path + " " + why
                + "; only UTF-8 text files are supported");
    }

    private static FileRefusedException refused(String code, int status, String path, String detail) {
        return FileRefusal.of(code, status, path, detail).exception();
    }
}
