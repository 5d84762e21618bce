package dev.velocitypreview.machines.local;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.RandomAccessFile;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.edits.MachineClaim;
import dev.velocitypreview.core.edits.SyncedFile;
import dev.velocitypreview.machines.MachineException;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.PooledMachineSpec;
import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.machines.RuntimeBundle;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The files of the machines under one root: {@code <root>/<machineId>/} holds {@code machine.json}
 * (the {@link MachineRecord}), {@code bundle.json} (the project's files for the runtime),
 * (a pooled machine's: its template's, until a claim makes them its session's),
 * {@code work/} (where the runtime writes them), {@code port} (written by the runtime once it
 * listens) and {@code runtime.log} (its stdout and stderr). {@code <root>/deps/} is not a machine: it is the
 * dependency store every local runtime shares ({@link #dependencyCache()}).
 */
final class MachineDirectory {

    private static final Logger LOG = LoggerFactory.getLogger(MachineDirectory.class);

    /** Machine ids are checked against this before they become paths. */
    static final Pattern ID = Pattern.compile("local-[0-9a-f]{12}");

    private static final JsonMapper JSON = JsonMapper.builder().build();

    private final Path root;

    MachineDirectory(Path root) {
        this.root = root;
    }

    static boolean isMachineId(String id) {
        return id != null && ID.matcher(id).matches();
    }

    Path root() {
        return root;
    }

    /**
     * The runtimes' shared store of prepared dependencies, one entry per lockfile hash, so that a second project
     * with the same lockfile runs no {@code npm} at all; never a machine directory, as its name is not a machine id.
     */
    Path dependencyCache() {
        return root.resolve("deps");
    }

    Path dir(String id) {
        if (!isMachineId(id)) {
            throw new IllegalArgumentException("not a local machine id: " + id);
        }
        return root.resolve(id);
    }

    Path bundle(String id) {
        return dir(id).resolve("bundle.json");
    }

    Path work(String id) {
        return dir(id).resolve("work");
    }

    Path portFile(String id) {
        return dir(id).resolve("port");
    }

    Path log(String id) {
        return dir(id).resolve("runtime.log");
    }

    private Path recordFile(String id) {
        return dir(id).resolve("machine.json");
    }

    /** Creates the directory of a new machine; false when the id is taken. */
    boolean create(String id) throws IOException {
        Files.createDirectories(root);
        try {
            Files.createDirectory(dir(id));
        } catch (FileAlreadyExistsException e) {
            return false;
        }
        Files.createDirectory(work(id));
        return true;
    }

    /** The ids of every machine directory under the root, including half-created ones. */
    List<String> ids() {
        List<String> ids = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return ids;
        }
        try (DirectoryStream<Path> dirs = Files.newDirectoryStream(root)) {
            for (Path dir : dirs) {
                String name = dir.getFileName().toString();
                if (isMachineId(name)) {
                    ids.add(name);
                }
            }
        } catch (IOException e) {
            throw new MachineException("cannot list the machines under " + root + ": " + e, true, e);
        }
        return ids;
    }

    /** The machine's record; empty when it has none (never created, half created, or destroyed). */
    Optional<MachineRecord> read(String id) {
        try {
            return Optional.of(JSON.readValue(Files.readAllBytes(recordFile(id)), MachineRecord.class));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (IOException e) {
            throw new MachineException("cannot read " + recordFile(id) + ": " + e, true, e);
        } catch (JacksonException e) {
            LOG.atWarn().addKeyValue("machine", id).addKeyValue("error", e.getOriginalMessage())
                    .log("machine record unreadable, machine ignored");
            return Optional.empty();
        }
    }

    /** Replaces the record at once: a reader sees the old one or the new one, never half of either. */
    void write(MachineRecord record) throws IOException {
        Path file = recordFile(record.id());
        Path temporary = file.resolveSibling("machine.json.tmp");
        Files.write(temporary, JSON.writeValueAsBytes(record));
        Files.move(temporary, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** Writes the bundle the runtime reads. */
    void writeBundle(String id, MachineSpec spec) throws IOException {
        try (OutputStream out = Files.newOutputStream(bundle(id))) {
            RuntimeBundle.write(spec, out);
        }
    }

    /** Writes the bundle a pooled machine's runtime reads: the template's files, no session. */
    void writePooledBundle(String id, PooledMachineSpec spec) throws IOException {
        try (OutputStream out = Files.newOutputStream(bundle(id))) {
            RuntimeBundle.writePooled(spec, out);
        }
    }

    /**
     * Replaces a pooled machine's bundle with its claiming session's: the template's files with the claim's applied
     * (its content where it has one, its deletions), so that a runtime launched again later (after a stop, or a crash)
     * starts as the session's machine with the session's files, as the claimed runtime has them.
     */
    void writeClaimedBundle(String id, MachineClaim claim) throws IOException {
        Map<String, ProjectFile> files = new LinkedHashMap<>();
        try (InputStream in = Files.newInputStream(bundle(id))) {
            for (JsonNode entry : JSON.readTree(in).path("files")) {
                boolean directory = entry.path("directory").asBoolean(false);
                String path = entry.path("path").asString();
                files.put(path, new ProjectFile(path, directory ? null : entry.path("content").asString(""), directory));
            }
        }
        claim.files().deleted().forEach(files::remove);
        for (SyncedFile file : claim.files().files()) {
            // no content: the template's copy is the project's
            if (file.content() != null) {
                files.put(file.path(), new ProjectFile(file.path(), file.content(), false));
            }
        }
        Path temporary = bundle(id).resolveSibling("bundle.json.tmp");
        try (OutputStream out = Files.newOutputStream(temporary)) {
            RuntimeBundle.write(claim.sessionId(), claim.projectId(), List.copyOf(files.values()), out);
        }
        Files.move(temporary, bundle(id), StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    }

    /** The port the runtime wrote once it listened, if it did. */
    OptionalInt port(String id) {
        try {
            String raw = Files.readString(portFile(id), StandardCharsets.UTF_8).trim();
            return raw.isEmpty() ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(raw));
        } catch (NoSuchFileException e) {
            return OptionalInt.empty();
        } catch (IOException | NumberFormatException e) {
            LOG.atWarn().addKeyValue("machine", id).addKeyValue("error", e.toString()).log("port file unreadable");
            return OptionalInt.empty();
        }
    }

    void clearPort(String id) throws IOException {
        Files.deleteIfExists(portFile(id));
    }

    /** The last lines of the runtime's log, at most {@code maxBytes} of it, for error messages. */
    String logTail(String id, int maxBytes) {
        try (RandomAccessFile log = new RandomAccessFile(log(id).toFile(), "r")) {
            long start = Math.max(0, log.length() - maxBytes);
            byte[] tail = new byte[(int) (log.length() - start)];
            log.seek(start);
            log.readFully(tail);
            String text = new String(tail, StandardCharsets.UTF_8);
            // drop the line cut in half at the start
            return start > 0 && text.indexOf('\n') >= 0 ? text.substring(text.indexOf('\n') + 1) : text;
        } catch (IOException e) {
            return "(no runtime.log: " + e.getMessage() + ")";
        }
    }

    /** Deletes the machine's directory and everything in it; a missing directory is fine. */
    void delete(String id) throws IOException {
        Path dir = dir(id);
        if (!Files.exists(dir)) {
            return;
        }
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path directory, IOException failure) throws IOException {
                if (failure != null) {
                    throw failure;
                }
                Files.deleteIfExists(directory);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
