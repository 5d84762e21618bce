package dev.velocitypreview.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;

import dev.velocitypreview.runtime.BundleReader.BundleEntry;
import dev.velocitypreview.runtime.BundleReader.BundleHeader;

/**
 * Writes a bundle's files under the work directory. The whole bundle is checked before anything
 * is written, so a refused bundle writes nothing at all; then a second pass writes the files.
 */
final class FileMaterializer {

    /**
     * @param workDir the real path of the work directory, files and directories counted
     * @param held    every file written, at version 0 (the bundle does not say), for the live-edit sync
     */
    record Materialized(BundleHeader header, Path workDir, int files, int directories, long bytes, HeldFiles held) {
    }

    private final Path workDir;
    private final FileLimits limits;
    private final BundleReader reader;

    FileMaterializer(Path workDir, FileLimits limits) {
        this.workDir = workDir;
        this.limits = limits;
        this.reader = new BundleReader(limits.maxFileBytes());
    }

    /**
     * @param expectedSession the session the bundle must be for, or null to accept any
     * @param pooled          whether the runtime is in pool mode, which takes a pooled bundle only; else only a
     *                        session's bundle is taken
     * @throws MaterializationException with the report naming the refused file, the malformed part
     *                                  of the bundle, or the write that failed
     */
    Materialized materialize(Path bundle, String expectedSession, boolean pooled) throws MaterializationException {
        Path root = createWorkDir();
        Check check = new Check(root);
        BundleHeader header = reader.read(bundle, check::entry);
        if (pooled && !header.pooled()) {
            throw new MaterializationException("bundle is for session " + ProjectPath.quote(header.sessionId())
                    + ", but the runtime is in pool mode (--pool-token): a warm pool's machine takes a pooled bundle,"
                    + " which names its pool and no session");
        }
        if (!pooled && header.pooled()) {
            throw new MaterializationException("bundle is for warm pool " + ProjectPath.quote(header.pool())
                    + ", but the runtime was given no --pool-token (PREVIEW_POOL_TOKEN): a pooled bundle is taken"
                    + " in pool mode only");
        }
        if (expectedSession != null && !expectedSession.equals(header.sessionId())) {
            throw new MaterializationException("bundle is for session " + ProjectPath.quote(header.sessionId())
                    + ", not " + ProjectPath.quote(expectedSession));
        }
        HeldFiles held = new HeldFiles();
        reader.read(bundle, entry -> write(root, entry, held));
        return new Materialized(header, root, check.files, check.directories, check.bytes, held);
    }

    private Path createWorkDir() throws MaterializationException {
        try {
            Files.createDirectories(workDir);
            return workDir.toRealPath();
        } catch (IOException e) {
            throw new MaterializationException("cannot create the work directory " + ProjectPath.quote(workDir.toString())
                    + ": " + e.getMessage(), e);
        }
    }

    /** The first pass: every rule, nothing written. */
    private final class Check {
        private final Path root;
        private final Set<String> filePaths = new HashSet<>();
        private final Set<String> directoryPaths = new HashSet<>();
        int files;
        int directories;
        long bytes;

        Check(Path root) {
            this.root = root;
        }

        void entry(BundleEntry entry) throws MaterializationException {
            ProjectPath path = ProjectPath.parse(entry.path());
            if (files + directories >= limits.maxFiles()) {
                throw MaterializationException.refused(entry.path(),
                        "the bundle has more than " + limits.maxFiles() + " files and directories");
            }
            String normalized = path.normalized();
            if (filePaths.contains(normalized)) {
                throw MaterializationException.refused(entry.path(), "the bundle lists this file twice");
            }
            if (!entry.directory() && directoryPaths.contains(normalized)) {
                throw MaterializationException.refused(entry.path(), "the bundle also has this path as a directory");
            }
            for (String ancestor : path.ancestors()) {
                if (filePaths.contains(ancestor)) {
                    throw MaterializationException.refused(entry.path(),
                            ProjectPath.quote(ancestor) + " is a file in this bundle, not a directory");
                }
            }
            if (entry.directory()) {
                directories++;
            } else {
                long size = utf8Length(entry.content());
                if (size > limits.maxFileBytes()) {
                    throw MaterializationException.refused(entry.path(),
                            "file is " + size + " bytes, over the limit of " + limits.maxFileBytes() + " bytes");
                }
                bytes += size;
                if (bytes > limits.maxTotalBytes()) {
                    throw MaterializationException.refused(entry.path(),
                            "the files add up to more than the limit of " + limits.maxTotalBytes() + " bytes");
                }
                files++;
            }
            checkStaysInside(root, path);
            (entry.directory() ? directoryPaths : filePaths).add(normalized);
            directoryPaths.addAll(path.ancestors());
        }
    }

    /**
     * Refuses a path that already exists on disk (in part) as a symbolic link resolving outside
     * the work directory, or as a link that resolves nowhere (writing through it could create
     * a file anywhere). What does not exist yet is created by us as plain directories and files.
     */
    static void checkStaysInside(Path root, ProjectPath path) throws MaterializationException {
        Path existing = root;
        for (String segment : path.segments()) {
            Path next = existing.resolve(segment);
            if (!Files.exists(next, LinkOption.NOFOLLOW_LINKS)) {
                break;
            }
            existing = next;
        }
        Path real;
        try {
            real = existing.toRealPath();
        } catch (NoSuchFileException e) {
            throw MaterializationException.refused(path.raw(), "path goes through a broken symbolic link");
        } catch (IOException e) {
            throw MaterializationException.refused(path.raw(), "cannot resolve the path: " + e.getMessage());
        }
        if (!real.startsWith(root)) {
            throw MaterializationException.refused(path.raw(), "path leaves the work directory through a symbolic link");
        }
    }

    private static void write(Path root, BundleEntry entry, HeldFiles held) throws MaterializationException {
        ProjectPath path = ProjectPath.parse(entry.path());
        Path target = path.under(root);
        try {
            if (entry.directory()) {
                Files.createDirectories(target);
            } else {
                Files.createDirectories(target.getParent());
                byte[] content = HeldFiles.utf8(entry.content());
                Files.write(target, content);
                held.put(path.normalized(), 0, HeldFiles.sha256(content), content.length);
            }
        } catch (IOException e) {
            throw new MaterializationException("cannot write " + ProjectPath.quote(entry.path()) + ": " + e, e);
        }
    }

    static long utf8Length(String content) {
        long length = 0;
        for (int i = 0; i < content.length(); i++) {
            char c = content.charAt(i);
            if (c < 0x80) {
                length += 1;
            } else if (c < 0x800) {
                length += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < content.length() && Character.isLowSurrogate(content.charAt(i + 1))) {
                length += 4;
                i++;
            } else {
                length += 3;
            }
        }
        return length;
    }
}
