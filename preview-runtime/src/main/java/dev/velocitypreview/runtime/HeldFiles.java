package dev.velocitypreview.runtime;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import dev.velocitypreview.core.edits.FileState;

/**
 * The manifest a sync sends: every file the runtime got from its bundle or from syncs, with the version it was given
 * (0 for a bundle file) and the SHA-256 of the content it wrote. Kept in memory and updated on each write, never read
 * back from disk: the project's own processes write beside these files ({@code node_modules}, build output), and
 * those are not the project's. Thread-safe.
 */
final class HeldFiles {

    /** @param bytes the content's UTF-8 length, for the total size limit */
    record Held(long version, String sha256, long bytes) {
    }

    private final Map<String, Held> files = new LinkedHashMap<>();

    synchronized void put(String path, long version, String sha256, long bytes) {
        files.put(path, new Held(version, sha256, bytes));
    }

    /** Takes a new version of a file whose content is unchanged. */
    synchronized void version(String path, long version) {
        Held held = files.get(path);
        if (held == null) {
            throw new IllegalStateException("no file " + path + " is held");
        }
        files.put(path, new Held(version, held.sha256(), held.bytes()));
    }

    synchronized void remove(String path) {
        files.remove(path);
    }

    /** The file at {@code path}, or null. */
    synchronized Held get(String path) {
        return files.get(path);
    }

    synchronized int size() {
        return files.size();
    }

    synchronized long totalBytes() {
        return files.values().stream().mapToLong(Held::bytes).sum();
    }

    /** What a sync request says of them, in the order they were first held. */
    synchronized List<FileState> states() {
        List<FileState> states = new ArrayList<>(files.size());
        files.forEach((path, held) -> states.add(new FileState(path, held.version(), held.sha256())));
        return states;
    }

    static byte[] utf8(String content) {
        return content.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * Lower-case hex over the UTF-8 bytes, as platform-core's {@code FileRules.sha256} computes it; that class
     * cannot be loaded here (it holds a databind mapper, which the runtime's class path leaves out).
     */
    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }
}
