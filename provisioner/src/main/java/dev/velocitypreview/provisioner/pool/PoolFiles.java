package dev.velocitypreview.provisioner.pool;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.core.files.FileRules;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateFile;

/**
 * What a pool's machines hold, and what a claim changes of it: the hashes that name a pool and that a project must
 * match, and the claim's files.
 */
public final class PoolFiles {

    static final String MANIFEST = "package.json";
    static final String LOCKFILE = "package-lock.json";
    private static final Set<String> DEPENDENCY_FILES = Set.of(MANIFEST, LOCKFILE);

    /** A project's file as stored, with its version. */
    public record StoredFile(String path, String content, long version) {
    }

    private PoolFiles() {
    }

    /**
     * The claim's files for a machine that holds {@code template}'s files (each at version 0, as a machine's own start
     * files are): every stored file with its version, its content only where the template's differs, and the
     * template's paths the project does not have. As a sync answer to such a machine would be, computed here so
     * that a claim waits for no changelog.
     */
    public static SyncResponse claimFiles(Template template, List<StoredFile> project) {
        Map<String, String> templateHashes = new HashMap<>();
        for (TemplateFile file : template.files()) {
            templateHashes.put(file.path(), FileRules.sha256(file.content()));
        }
        List<SyncedFile> files = new ArrayList<>();
        for (StoredFile file : project) {
            String sha256 = FileRules.sha256(file.content());
            boolean same = sha256.equals(templateHashes.get(file.path()));
            files.add(new SyncedFile(file.path(), file.version(), sha256, same ? null : file.content()));
        }
        files.sort(Comparator.comparing(SyncedFile::path));
        Set<String> kept = project.stream().map(StoredFile::path).collect(Collectors.toSet());
        List<String> deleted = templateHashes.keySet().stream().filter(path -> !kept.contains(path)).sorted().toList();
        return new SyncResponse(files, deleted);
    }

    /** The hash of a project's dependency files, the way {@link #depsOf(Template)} hashes a template's. */
    public static String depsOf(List<StoredFile> project) {
        Map<String, String> byPath = new HashMap<>();
        for (StoredFile file : project) {
            if (DEPENDENCY_FILES.contains(file.path())) {
                byPath.put(file.path(), file.content());
            }
        }
        return depsHash(byPath.get(MANIFEST), byPath.get(LOCKFILE));
    }

    static String depsOf(Template template) {
        Map<String, String> byPath = new HashMap<>();
        for (TemplateFile file : template.files()) {
            if (DEPENDENCY_FILES.contains(file.path())) {
                byPath.put(file.path(), file.content());
            }
        }
        return depsHash(byPath.get(MANIFEST), byPath.get(LOCKFILE));
    }

    /** {@code <template>-<12 hex digits of the hash of every file, path and content>}. */
    static String keyOf(Template template) {
        MessageDigest digest = sha256();
        template.files().stream().sorted(Comparator.comparing(TemplateFile::path)).forEach(file -> {
            update(digest, file.path());
            update(digest, file.content());
        });
        return template.name() + "-" + HexFormat.of().formatHex(digest.digest()).substring(0, 12);
    }

    private static String depsHash(@Nullable String manifest, @Nullable String lockfile) {
        MessageDigest digest = sha256();
        // a missing file hashes apart from an empty one
        update(digest, manifest == null ? "\u0000missing" : manifest);
        update(digest, lockfile == null ? "\u0000missing" : lockfile);
        return HexFormat.of().formatHex(digest.digest());
    }

    private static void update(MessageDigest digest, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        // length first: "ab"+"c" and "a"+"bc" hash apart
        digest.update(Integer.toString(bytes.length).getBytes(StandardCharsets.US_ASCII));
        digest.update((byte) ':');
        digest.update(bytes);
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
    }
}
