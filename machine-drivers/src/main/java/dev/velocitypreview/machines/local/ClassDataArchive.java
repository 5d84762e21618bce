package dev.velocitypreview.machines.local;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.ProcessBuilder.Redirect;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A class-data archive of the runtime's classes for the machines' JVMs: a machine started with it maps the runtime's
 * classes instead of loading and verifying them, which makes it listen and get ready sooner and keeps it smaller
 * (docs/benchmarks.md, scenario 11). It is made once per runtime build and JVM by a training run of the runtime
 * ({@code ClassDataTraining} under {@code -XX:ArchiveClassesAtExit}), in the background while machines start without
 * it, and shared by every driver of the host: its file name is a hash of the JVM, the machines' JVM options and each
 * class path jar's path, size and modification time, so a rebuilt runtime gets an archive of its own.
 *
 * <p>Fallbacks, in the order they apply: a class path that is not all jars (the JVM archives jars only), another
 * {@code java} than this JVM's (a wrapper) or options that set class sharing themselves: no archive at all. No archive
 * yet, or a training run that fails: machines start without one. An archive the JVM finds stale or corrupt: the JVM
 * ignores it, starting the machine without it (and prints one warning in the machine's log). Only a whole archive that
 * a JVM has mapped with {@code -Xshare:on} is ever moved into place: a JVM crashes on a truncated one.
 */
final class ClassDataArchive {

    static final String TRAINING_MAIN_CLASS = "dev.velocitypreview.runtime.ClassDataTraining";
    /** Shared by every driver of the host, as the dependency store is: the archive depends only on what is hashed. */
    static final Path DEFAULT_FOLDER = Path.of(System.getProperty("java.io.tmpdir"), "velocity-preview-class-data");

    private static final Logger LOG = LoggerFactory.getLogger(ClassDataArchive.class);
    private static final long TRAINING_BOUND_SECONDS = 120;
    private static final Duration KEPT_FOR = Duration.ofDays(7);

    private final Path folder;
    private final LocalMachinesSettings settings;
    private final boolean applies;
    private final AtomicBoolean training = new AtomicBoolean();
    /** The archive whose training failed: not tried again by this driver, whose machines start without it. */
    private volatile Path failed;

    ClassDataArchive(Path folder, LocalMachinesSettings settings) {
        this.folder = folder.toAbsolutePath().normalize();
        this.settings = settings;
        this.applies = applies(settings);
    }

    /**
     * The options that make a machine's JVM map the archive; none while there is none. Starts the training run in the
     * background when the archive is missing (one at a time, and once per archive).
     */
    List<String> launchOptions() {
        Optional<Path> archive = archive();
        if (archive.isEmpty()) {
            return List.of();
        }
        if (Files.isRegularFile(archive.get())) {
            return List.of("-XX:SharedArchiveFile=" + archive.get());
        }
        if (!archive.get().equals(failed) && training.compareAndSet(false, true)) {
            Thread trainer = new Thread(() -> {
                try {
                    if (!train(archive.get())) {
                        failed = archive.get();
                    }
                } finally {
                    training.set(false);
                }
            }, "class-data-training");
            trainer.setDaemon(true);
            trainer.start();
        }
        return List.of();
    }

    /** Where the archive for the current class path is, or is to be; empty when machines run without one. */
    Optional<Path> archive() {
        if (!applies) {
            return Optional.empty();
        }
        try {
            return Optional.of(folder.resolve(key() + ".jsa"));
        } catch (IOException e) {
            // a class path jar that vanished: the machine's own start will say so
            return Optional.empty();
        }
    }

    /** Runs the training and moves its archive into place; false when the machines keep starting without one. */
    boolean train(Path archive) {
        Path partial = archive.resolveSibling(archive.getFileName() + "." + ProcessHandle.current().pid() + ".tmp");
        try {
            Files.createDirectories(folder);
            Files.deleteIfExists(partial);
            long began = System.nanoTime();
            List<String> command = java();
            command.add("-XX:ArchiveClassesAtExit=" + partial);
            command.addAll(List.of("-cp", settings.classpath(), TRAINING_MAIN_CLASS));
            if (run(command, archive.resolveSibling(archive.getFileName() + ".log")) != 0 || !Files.isRegularFile(partial)) {
                LOG.atWarn().addKeyValue("archive", archive).log("class-data training failed, machines start without"
                        + " an archive; see the training's log next to it");
                return false;
            }
            // -Xshare:on refuses to start, rather than starting without it, on an archive it cannot map
            List<String> check = java();
            check.addAll(List.of("-Xshare:on", "-XX:SharedArchiveFile=" + partial, "-cp", settings.classpath(),
                    "-version"));
            if (run(check, archive.resolveSibling(archive.getFileName() + ".check.log")) != 0) {
                LOG.atWarn().addKeyValue("archive", archive).log("class-data archive not usable, machines start without"
                        + " an archive");
                return false;
            }
            Files.move(partial, archive, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            LOG.atInfo().addKeyValue("archive", archive).addKeyValue("bytes", Files.size(archive))
                    .addKeyValue("millis", (System.nanoTime() - began) / 1_000_000).log("class-data archive made");
            forgetOldArchives(archive);
            return true;
        } catch (IOException | UncheckedIOException e) {
            LOG.atWarn().addKeyValue("archive", archive).addKeyValue("error", e.toString())
                    .log("class-data training failed, machines start without an archive");
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            try {
                Files.deleteIfExists(partial);
            } catch (IOException e) {
                LOG.atDebug().addKeyValue("file", partial).log("partial archive left behind");
            }
        }
    }

    /**
     * Every build of the runtime gets an archive of its own: those made a week ago or earlier go (a driver that still
     * wants one makes it again), so the folder does not grow with every build.
     */
    private void forgetOldArchives(Path kept) throws IOException {
        Instant before = Instant.now().minus(KEPT_FOR);
        try (DirectoryStream<Path> archives = Files.newDirectoryStream(folder, "*.jsa")) {
            for (Path old : archives) {
                if (!old.equals(kept) && Files.getLastModifiedTime(old).toInstant().isBefore(before)) {
                    Files.deleteIfExists(old);
                    Files.deleteIfExists(old.resolveSibling(old.getFileName() + ".log"));
                    Files.deleteIfExists(old.resolveSibling(old.getFileName() + ".check.log"));
                }
            }
        }
    }

    private List<String> java() {
        List<String> command = new ArrayList<>();
        command.add(settings.javaCommand());
        command.addAll(settings.jvmOptions());
        return command;
    }

    /** Runs in the archives' folder, where a JVM that crashes on a bad archive leaves its error report. */
    private int run(List<String> command, Path log) throws IOException, InterruptedException {
        ProcessBuilder builder = new ProcessBuilder(command).directory(folder.toFile()).redirectErrorStream(true)
                .redirectOutput(Redirect.to(log.toFile()));
        // the runtime reads its options from PREVIEW_* variables too: the training run's project is its own
        builder.environment().keySet().removeIf(name -> name.startsWith("PREVIEW_"));
        Process process = builder.start();
        process.getOutputStream().close();
        if (!process.waitFor(TRAINING_BOUND_SECONDS, TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return -1;
        }
        return process.exitValue();
    }

    private String key() throws IOException {
        MessageDigest digest;
        try {
            digest = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JVM has SHA-256", e);
        }
        List<String> parts = new ArrayList<>(List.of(System.getProperty("java.home"), System.getProperty("java.vm.version")));
        parts.addAll(settings.jvmOptions());
        for (String entry : settings.classpath().split(File.pathSeparator)) {
            Path jar = Path.of(entry);
            parts.add(entry + "|" + Files.size(jar) + "|" + Files.getLastModifiedTime(jar).toMillis());
        }
        for (String part : parts) {
            digest.update(part.getBytes(StandardCharsets.UTF_8));
            digest.update((byte) 0);
        }
        return HexFormat.of().formatHex(digest.digest(), 0, 16);
    }

    private static boolean applies(LocalMachinesSettings settings) {
        Path thisJava = Path.of(System.getProperty("java.home"), "bin", "java");
        if (!Path.of(settings.javaCommand()).toAbsolutePath().normalize().equals(thisJava.toAbsolutePath().normalize())) {
            return false;
        }
        for (String option : settings.jvmOptions()) {
            if (option.startsWith("-XX:SharedArchiveFile") || option.startsWith("-XX:ArchiveClassesAtExit")
                    || option.equals("-Xshare:off")) {
                return false;
            }
        }
        for (String entry : settings.classpath().split(File.pathSeparator)) {
            if (!entry.endsWith(".jar") || !Files.isRegularFile(Path.of(entry))) {
                return false;
            }
        }
        return true;
    }
}
