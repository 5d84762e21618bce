package dev.velocitypreview.runtime;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Projects' {@code node_modules}, installed once per manifest and lockfile and shared. An entry is the directory
 * {@code <store>/<key>/} holding the manifest, the lockfile and the installed {@code node_modules}, where the key
 * is what {@code sha256sum package.json package-lock.json | sha256sum} prints in the project (without a lockfile:
 * {@code sha256sum package.json | sha256sum}). The manifest counts as much as the lockfile: {@code npm ci} runs the
 * root package's own install scripts, which only the manifest names, so two projects with one lockfile and
 * different scripts must not share an entry. {@code docker/preview-machine.Dockerfile} writes entries of this
 * layout for the templates when the image is built.
 *
 * <p>Opening a store removes the temporary directories of installs that cannot still run (older than the
 * install timeout): what a runtime killed mid-install left behind.
 *
 * <p>An entry is installed in a temporary directory inside the store and renamed into place, so an entry that
 * exists is complete. Runtimes preparing the same hash at once install it once: they take a file lock per hash
 * (and a lock per hash inside this JVM, as a file lock is held by the whole process), and who gets it second
 * finds the entry in place.
 *
 * <p>A project gets its own {@code node_modules} whose directories are created and whose files are hard links
 * to the entry's: linking takes a fraction of the install's time and no space, and tools that write into
 * {@code node_modules} (Vite's {@code node_modules/.vite}) create files in the project's tree, not the store's.
 * A tool that rewrote a linked file in place would change the store's copy: no dev server does. Where a file
 * cannot be linked (another file system) it is copied.
 */
final class DependencyStore implements AutoCloseable {

    static final String NODE_MODULES = "node_modules";
    static final String MANIFEST = "package.json";
    static final String LOCKFILE = "package-lock.json";
    private static final String INSTALLING = ".install-";
    private static final Map<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

    /** @param reused true when the entry was in place already: npm did not run */
    record Prepared(Path entry, boolean reused, String command) {
    }

    /** The install failed; the message says why (npm's exit code and the tail of its output). */
    static final class InstallException extends Exception {
        InstallException(String message) {
            super(message);
        }

        InstallException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    private final Path root;
    private final String npm;
    private final Duration timeout;
    private final RuntimeLog log;
    /** The npm this store runs now, so that {@link #close} can end it; guarded by {@code this}. */
    private ProjectProcess running;
    private boolean closed;

    DependencyStore(Path root, String npm, Duration timeout, RuntimeLog log) {
        this.root = root;
        this.npm = npm;
        this.timeout = timeout;
        this.log = log;
        removeStaleInstalls();
    }

    /** Temporary install directories older than the install timeout: no npm of any runtime works in them any more. */
    private void removeStaleInstalls() {
        if (!Files.isDirectory(root)) {
            return;
        }
        java.time.Instant stale = java.time.Instant.now().minus(timeout);
        try (java.util.stream.Stream<Path> entries = Files.list(root)) {
            for (Path temporary : entries.filter(path -> path.getFileName().toString().startsWith(INSTALLING)).toList()) {
                try {
                    if (Files.getLastModifiedTime(temporary).toInstant().isBefore(stale)) {
                        deleteTree(temporary);
                        log.info("stale dependency install removed", "directory", temporary.getFileName());
                    }
                } catch (IOException e) {
                    log.warn("stale dependency install not removed", "directory", temporary.getFileName(), "error", e.toString());
                }
            }
        } catch (IOException e) {
            log.warn("dependency store not cleaned", "store", root, "error", e.toString());
        }
    }

    /** The entry's name for a project: the hash of its manifest's and its lockfile's hashes (see the class comment). */
    static String key(Path project) throws IOException {
        StringBuilder sums = new StringBuilder(sumLine(project, MANIFEST));
        if (Files.isRegularFile(project.resolve(LOCKFILE))) {
            sums.append(sumLine(project, LOCKFILE));
        }
        return sha256(sums.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
    }

    /** A line as {@code sha256sum} prints it. */
    private static String sumLine(Path project, String file) throws IOException {
        return sha256(Files.readAllBytes(project.resolve(file))) + "  " + file + "\n";
    }

    private static String sha256(byte[] content) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** Finds or installs the entry for {@code project}'s lockfile and links its node_modules into the project. */
    Prepared prepare(Path project) throws InstallException {
        Prepared prepared;
        try {
            Files.createDirectories(root);
            String key = key(project);
            Path entry = root.resolve(key);
            prepared = Files.isDirectory(entry) ? new Prepared(entry, true, null) : installOnce(project, key, entry);
        } catch (IOException e) {
            throw new InstallException("cannot prepare the dependencies in " + root + ": " + e, e);
        }
        try {
            link(prepared.entry().resolve(NODE_MODULES), project.resolve(NODE_MODULES));
        } catch (IOException e) {
            throw new InstallException("cannot link node_modules from " + prepared.entry() + ": " + e, e);
        }
        return prepared;
    }

    private Prepared installOnce(Path project, String key, Path entry) throws IOException, InstallException {
        ReentrantLock local = IN_PROCESS.computeIfAbsent(root.resolve(key), path -> new ReentrantLock());
        local.lock();
        try (FileChannel lockFile = FileChannel.open(root.resolve(key + ".lock"), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
             FileLock held = lockFile.lock()) {
            if (Files.isDirectory(entry)) {
                log.info("dependencies installed by another runtime meanwhile", "entry", key);
                return new Prepared(entry, true, null);
            }
            Path temporary = Files.createTempDirectory(root, INSTALLING + key.substring(0, 12) + "-");
            try {
                Files.copy(project.resolve(MANIFEST), temporary.resolve(MANIFEST));
                boolean locked = Files.isRegularFile(project.resolve(LOCKFILE));
                if (locked) {
                    Files.copy(project.resolve(LOCKFILE), temporary.resolve(LOCKFILE));
                }
                List<String> command = List.of(npm, locked ? "ci" : "install", "--no-audit", "--no-fund");
                run(command, temporary);
                Files.createDirectories(temporary.resolve(NODE_MODULES));
                Files.move(temporary, entry, StandardCopyOption.ATOMIC_MOVE);
                return new Prepared(entry, false, String.join(" ", command.subList(1, 2)));
            } finally {
                if (Files.exists(temporary)) {
                    deleteTree(temporary);
                }
            }
        } finally {
            local.unlock();
        }
    }

    private void run(List<String> command, Path directory) throws InstallException, IOException {
        String shown = "npm " + command.get(1);
        ProjectProcess npmProcess;
        synchronized (this) {
            if (closed) {
                throw new InstallException("the runtime was closed before " + shown + " ran");
            }
            try {
                npmProcess = new ProjectProcess(command, directory, Map.of("npm_config_update_notifier", "false"), shown, log);
            } catch (IOException e) {
                throw new InstallException("cannot run " + command.get(0) + " (is npm installed and on the PATH? see --npm): "
                        + e.getMessage(), e);
            }
            running = npmProcess;
        }
        try (npmProcess) {
            int code = npmProcess.awaitExit(timeout);
            if (code != 0) {
                throw new InstallException(shown + " failed with exit code " + code + "; last output:\n" + npmProcess.tail());
            }
        } catch (TimeoutException e) {
            throw new InstallException(shown + " did not finish within " + timeout.toSeconds() + " s (--install-timeout);"
                    + " last output:\n" + npmProcess.tail());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InstallException("interrupted while " + shown + " ran", e);
        }
    }

    /** Ends the npm that runs now, if any, with its process tree; no npm starts afterwards. */
    @Override
    public void close() {
        ProjectProcess npmProcess;
        synchronized (this) {
            closed = true;
            npmProcess = running;
        }
        if (npmProcess != null) {
            npmProcess.close();
        }
    }

    /** Directories created, files hard-linked (copied where a link cannot be made), symbolic links made anew. */
    static void link(Path from, Path to) throws IOException {
        if (Files.exists(to)) {
            // a relaunch in the same work directory: the lockfile may have changed since
            deleteTree(to);
        }
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file).toString());
                if (attrs.isSymbolicLink()) {
                    // node_modules/.bin: relative links, valid in the copy as in the store
                    Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                } else {
                    try {
                        Files.createLink(target, file);
                    } catch (FileAlreadyExistsException e) {
                        throw e;
                    } catch (IOException | UnsupportedOperationException e) {
                        Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES);
                    }
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    static void deleteTree(Path tree) throws IOException {
        Files.walkFileTree(tree, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                Files.delete(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
