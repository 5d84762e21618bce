package dev.velocitypreview.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

import dev.velocitypreview.core.edits.FileVersion;
import dev.velocitypreview.core.edits.SyncResponse;
import dev.velocitypreview.core.edits.SyncedFile;

/**
 * Applies a sync answer to the project root and to the {@link HeldFiles}. The answer comes over the network, so every
 * path is checked again with the bundle's rules ({@link ProjectPath}, {@link FileLimits}, no way out of the root
 * through a symbolic link) plus the platform's ({@code FileRules}: no {@code .git} or {@code node_modules} segment,
 * paths in their normal form), each content against its SHA-256, and each deletion against the held files. The whole
 * answer is checked before anything is written: an answer that breaks a rule is refused whole.
 *
 * <p>Each file is written to a temporary file in its own directory and renamed over its path, so a dev server watching
 * the tree never reads half a file; the rename replaces a link at that path rather than writing through it. Used by
 * the one sync thread only.
 */
final class EditWriter {

    /** The platform's reserved directories (platform-core {@code FileRules}, which the runtime cannot load). */
    static final Set<String> RESERVED_SEGMENTS = Set.of(".git", "node_modules");
    static final String LOCKFILE = "package-lock.json";

    /**
     * What an answer changed.
     *
     * @param written  every file written or whose new version was taken, with that version
     * @param deleted  every path removed
     * @param changed  the paths whose content was written, in the answer's order (what a compile check looks at)
     */
    record Applied(List<FileVersion> written, List<String> deleted, List<String> changed) {
        Applied {
            written = List.copyOf(written);
            deleted = List.copyOf(deleted);
            changed = List.copyOf(changed);
        }

        boolean lockfileChanged() {
            return changed.contains(LOCKFILE);
        }
    }

    private final Path root;
    private final FileLimits limits;
    private final HeldFiles held;

    /** @param root the real path of the project root */
    EditWriter(Path root, FileLimits limits, HeldFiles held) {
        this.root = root;
        this.limits = limits;
        this.held = held;
    }

    /** @throws MaterializationException naming the path and the rule it breaks; nothing was written then */
    Applied apply(SyncResponse answer) throws MaterializationException {
        Map<String, ProjectPath> deletions = new LinkedHashMap<>();
        for (String raw : answer.deleted()) {
            ProjectPath path = check(raw);
            if (held.get(raw) == null) {
                throw MaterializationException.refused(raw, "the answer deletes a file this machine does not hold");
            }
            if (deletions.put(raw, path) != null) {
                throw MaterializationException.refused(raw, "the answer deletes this file twice");
            }
            FileMaterializer.checkStaysInside(root, path);
        }
        Set<String> paths = new HashSet<>();
        int count = held.size() - deletions.size();
        long total = held.totalBytes();
        for (String raw : deletions.keySet()) {
            total -= held.get(raw).bytes();
        }
        List<byte[]> contents = new ArrayList<>();
        for (SyncedFile file : answer.files()) {
            ProjectPath path = check(file.path());
            if (!paths.add(file.path()) || deletions.containsKey(file.path())) {
                throw MaterializationException.refused(file.path(), "the answer names this file twice");
            }
            HeldFiles.Held before = held.get(file.path());
            if (file.content() == null) {
                if (before == null || !before.sha256().equals(file.sha256())) {
                    throw MaterializationException.refused(file.path(), "the answer sends no content, but this machine"
                            + (before == null ? " does not hold the file" : "'s copy has another SHA-256"));
                }
                contents.add(null);
                continue;
            }
            byte[] content = HeldFiles.utf8(file.content());
            if (content.length > limits.maxFileBytes()) {
                throw MaterializationException.refused(file.path(), "file is " + content.length
                        + " bytes, over the limit of " + limits.maxFileBytes() + " bytes");
            }
            if (!HeldFiles.sha256(content).equals(file.sha256())) {
                throw MaterializationException.refused(file.path(), "the content does not have the SHA-256 the answer"
                        + " gives for it");
            }
            total += content.length - (before == null ? 0 : before.bytes());
            count += before == null ? 1 : 0;
            checkTarget(path, deletions.keySet());
            contents.add(content);
        }
        if (count > limits.maxFiles()) {
            throw new MaterializationException("refused the answer: the project would have " + count
                    + " files, over the limit of " + limits.maxFiles());
        }
        if (total > limits.maxTotalBytes()) {
            throw new MaterializationException("refused the answer: the files would add up to " + total
                    + " bytes, over the limit of " + limits.maxTotalBytes() + " bytes");
        }

        List<String> deleted = new ArrayList<>();
        for (Map.Entry<String, ProjectPath> deletion : deletions.entrySet()) {
            delete(deletion.getValue());
            held.remove(deletion.getKey());
            deleted.add(deletion.getKey());
        }
        List<FileVersion> written = new ArrayList<>();
        List<String> changed = new ArrayList<>();
        for (int i = 0; i < answer.files().size(); i++) {
            SyncedFile file = answer.files().get(i);
            byte[] content = contents.get(i);
            if (content == null) {
                held.version(file.path(), file.version());
            } else {
                write(ProjectPath.parse(file.path()), content);
                held.put(file.path(), file.version(), file.sha256(), content.length);
                changed.add(file.path());
            }
            written.add(new FileVersion(file.path(), file.version()));
        }
        return new Applied(written, deleted, changed);
    }

    /** The bundle's path rules, the platform's reserved segments, and the normal form the platform stores. */
    private static ProjectPath check(String raw) throws MaterializationException {
        ProjectPath path = ProjectPath.parse(raw);
        if (!path.normalized().equals(raw)) {
            throw MaterializationException.refused(raw, "path is not in its normal form " + ProjectPath.quote(path.normalized()));
        }
        for (String segment : path.segments()) {
            if (RESERVED_SEGMENTS.contains(segment)) {
                throw MaterializationException.refused(raw, "path is under " + segment + ", which the machine owns");
            }
        }
        return path;
    }

    /**
     * The path must stay inside the root, and the file must be writable where it goes: no directory at its place, no
     * file at a directory's place unless the answer deletes that file first.
     */
    private void checkTarget(ProjectPath path, Set<String> deleting) throws MaterializationException {
        FileMaterializer.checkStaysInside(root, path);
        List<String> ancestors = path.ancestors();
        for (String ancestor : ancestors) {
            Path onDisk = root.resolve(ancestor);
            if (Files.exists(onDisk, LinkOption.NOFOLLOW_LINKS) && !Files.isDirectory(onDisk)
                    && !deleting.contains(ancestor)) {
                throw MaterializationException.refused(path.raw(), ProjectPath.quote(ancestor) + " is a file, not a directory");
            }
        }
        if (Files.isDirectory(path.under(root), LinkOption.NOFOLLOW_LINKS)) {
            throw MaterializationException.refused(path.raw(), "a directory is at this path");
        }
    }

    private void write(ProjectPath path, byte[] content) throws MaterializationException {
        Path target = path.under(root);
        Path temporary = target.resolveSibling(".velocity-sync-" + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(target.getParent());
            // CREATE_NEW fails on anything already there, a link included: the content goes to a new file only
            try (OutputStream out = Files.newOutputStream(temporary, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                out.write(content);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException e) {
            try {
                Files.deleteIfExists(temporary);
            } catch (IOException ignored) {
                // the write's own error is the one to report
            }
            throw new MaterializationException("cannot write " + ProjectPath.quote(path.raw()) + ": " + e, e);
        }
    }

    private void delete(ProjectPath path) throws MaterializationException {
        FileMaterializer.checkStaysInside(root, path);
        try {
            // a link at the path is removed itself, never what it points to
            Files.deleteIfExists(path.under(root));
        } catch (IOException e) {
            throw new MaterializationException("cannot delete " + ProjectPath.quote(path.raw()) + ": " + e, e);
        }
    }
}
