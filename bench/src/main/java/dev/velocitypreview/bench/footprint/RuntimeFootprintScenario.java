package dev.velocitypreview.bench.footprint;

import java.io.File;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.stream.Stream;

import dev.velocitypreview.bench.footprint.RuntimeFootprintResult.Baseline;
import dev.velocitypreview.bench.footprint.RuntimeFootprintResult.DevServerFootprint;
import dev.velocitypreview.bench.footprint.RuntimeFootprintResult.Resident;
import dev.velocitypreview.bench.footprint.RuntimeFootprintResult.Start;
import dev.velocitypreview.bench.footprint.RuntimeFootprintResult.Variant;
import dev.velocitypreview.core.session.MachineSize;
import dev.velocitypreview.machines.MachineSpec;
import dev.velocitypreview.machines.ProjectFile;
import dev.velocitypreview.machines.RuntimeBundle;
import dev.velocitypreview.machines.local.LocalMachinesSettings;
import dev.velocitypreview.templates.Template;
import dev.velocitypreview.templates.TemplateCatalog;

/**
 * Scenario 11: the runtime inside a machine, started the way the local driver starts it (its JVM options, its
 * minimal class path, a bundle file), measured from the process's start: when its port file names a port that
 * accepts a connection (listening), when {@code /health} answers 200 (ready), and its resident memory after a few
 * requests. The same starts again with a class-data archive of the runtime's own classes (what the local driver
 * makes and uses, and the machine image ships, see {@code docker/preview-machine.Dockerfile}), made by one run of the
 * runtime's training main first. In the same turns, what the JVM alone takes with the same options: {@code java
 * -version} and a hello world, start to their first output. Starts alternate between the variants so all see the same load. Then one start of the react template with its dependencies prepared:
 * the resident memory of the runtime and of the whole process tree once the Vite dev server has compiled.
 */
public final class RuntimeFootprintScenario {

    /**
     * @param starts    starts of a static project per variant
     * @param devServer also start the react template and measure the tree with its dev server
     */
    public record Settings(int starts, boolean devServer) {
    }

    private static final String MAIN_CLASS = "dev.velocitypreview.runtime.PreviewRuntime";
    private static final String TRAINING_MAIN_CLASS = "dev.velocitypreview.runtime.ClassDataTraining";
    private static final Duration START_BOUND = Duration.ofSeconds(60);
    private static final Duration DEV_SERVER_BOUND = Duration.ofMinutes(8);
    private static final int REQUESTS_BEFORE_MEASURING = 50;
    private static final long LISTENING_POLL_NANOS = 200_000;

    private final Path root;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    public RuntimeFootprintScenario(Path root) {
        this.root = root;
    }

    public RuntimeFootprintResult run(Settings settings) throws Exception {
        long began = System.nanoTime();
        LocalMachinesSettings driver = LocalMachinesSettings.defaults(root.resolve("machines"));
        List<String> options = driver.jvmOptions();
        String classpath = driver.classpath();
        Path staticBundle = bundle("static", List.of(new ProjectFile("index.html", "<h1>footprint</h1>", false)));

        List<Variant> variants = new ArrayList<>();
        variants.add(new Variant("driver's options, no archive", options, new ArrayList<>()));
        Optional<String> archiveRefusal = classDataRefusal(classpath);
        if (archiveRefusal.isEmpty()) {
            Path archive = root.resolve("runtime.jsa");
            // the training run the driver and the machine image run: the JVM writes the classes it loaded as it exits
            if (train(options, classpath, archive) && Files.isRegularFile(archive)) {
                variants.add(new Variant("driver's options and its class-data archive",
                        join(options, "-XX:SharedArchiveFile=" + archive), new ArrayList<>()));
            } else {
                archiveRefusal = Optional.of("the training run wrote no archive; see training.log in the bench's folder");
            }
        }
        // what the JVM alone takes on the same machine at the same time, with the same options, until it prints
        String helloClasspath = Path.of(HelloWorld.class.getProtectionDomain().getCodeSource().getLocation().toURI())
                .toString();
        List<Baseline> baselines = List.of(
                new Baseline("`java -version`", join(options, "-version"), new ArrayList<>()),
                new Baseline("a hello world", join(options, "-cp", helloClasspath, HelloWorld.class.getName()),
                        new ArrayList<>()));
        for (int i = 0; i < settings.starts(); i++) {
            for (Variant variant : variants) {
                variant.starts().add(start(variant.jvmOptions(), classpath, staticBundle, "static-" + i, false));
            }
            for (Baseline baseline : baselines) {
                baseline.firstOutputMs().add(firstOutput(baseline.arguments()));
            }
        }
        List<String> devServerOptions = variants.get(variants.size() - 1).jvmOptions();
        DevServerFootprint devServer = settings.devServer() ? devServer(devServerOptions, classpath) : null;
        return new RuntimeFootprintResult(settings, variants, baselines, archiveRefusal.orElse(null), devServer,
                Duration.ofNanos(System.nanoTime() - began));
    }

    /** Runs the runtime's class-data training under {@code -XX:ArchiveClassesAtExit}; true when it served its page. */
    private boolean train(List<String> options, String classpath, Path archive) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(options);
        command.addAll(List.of("-XX:ArchiveClassesAtExit=" + archive, "-cp", classpath, TRAINING_MAIN_CLASS));
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("training.log").toFile()).start();
        if (!process.waitFor(START_BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
            return false;
        }
        return process.exitValue() == 0;
    }

    /**
     * Milliseconds from starting {@code java <arguments>} until its first byte of output arrives: its main ran (or the
     * JVM printed its version), the moment that compares with a runtime's listening. Its exit, which the JVM's shutdown
     * and the reaping delay, is not counted.
     */
    private static double firstOutput(List<String> arguments) throws Exception {
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(arguments);
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        try (InputStream out = process.getInputStream()) {
            if (out.read() < 0) {
                throw new IllegalStateException("`java " + String.join(" ", arguments) + "` printed nothing");
            }
            double firstMs = (System.nanoTime() - started) / 1e6;
            out.transferTo(OutputStream.nullOutputStream());
            if (!process.waitFor(START_BOUND.toSeconds(), java.util.concurrent.TimeUnit.SECONDS)
                    || process.exitValue() != 0) {
                throw new IllegalStateException("`java " + String.join(" ", arguments) + "` did not exit with 0");
            }
            return firstMs;
        } finally {
            process.destroyForcibly();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    /** Why a class-data archive cannot be made of this class path, if it cannot: the JVM archives jars only. */
    private static Optional<String> classDataRefusal(String classpath) {
        for (String entry : classpath.split(File.pathSeparator)) {
            if (!Files.isRegularFile(Path.of(entry))) {
                return Optional.of("the runtime's class path holds a folder (" + entry + "), which the JVM does not "
                        + "archive; run the bench on installed jars");
            }
        }
        return Optional.empty();
    }

    private Start start(List<String> jvmOptions, String classpath, Path bundle, String name, boolean training)
            throws Exception {
        Path work = root.resolve(name + "-" + UUID.randomUUID());
        Path portFile = work.resolveSibling(work.getFileName() + ".port");
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, MAIN_CLASS, "--port=0", "--bind=127.0.0.1", "--work-dir=" + work,
                "--bundle=" + bundle, "--port-file=" + portFile));
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve(name + ".log").toFile()).start();
        try {
            int port = awaitListening(process, portFile, started + START_BOUND.toNanos());
            double listeningMs = (System.nanoTime() - started) / 1e6;
            awaitHealthy(process, port, started + START_BOUND.toNanos());
            double readyMs = (System.nanoTime() - started) / 1e6;
            for (int i = 0; i < REQUESTS_BEFORE_MEASURING; i++) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/index.html")).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            return new Start(listeningMs, readyMs, residentKib(process.pid()));
        } finally {
            stop(process, training);
        }
    }

    private DevServerFootprint devServer(List<String> jvmOptions, String classpath) throws Exception {
        Template react = TemplateCatalog.builtIn().named("react").orElseThrow();
        Path bundle = bundle("react", react.files().stream()
                .map(file -> new ProjectFile(file.path(), file.content(), false)).toList());
        Path work = root.resolve("react");
        Path portFile = root.resolve("react.port");
        List<String> command = new ArrayList<>();
        command.add(java());
        command.addAll(jvmOptions);
        command.addAll(List.of("-cp", classpath, MAIN_CLASS, "--port=0", "--bind=127.0.0.1", "--work-dir=" + work,
                "--bundle=" + bundle, "--port-file=" + portFile));
        long started = System.nanoTime();
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(root.resolve("react.log").toFile()).start();
        try {
            int port = awaitListening(process, portFile, started + START_BOUND.toNanos());
            awaitHealthy(process, port, started + DEV_SERVER_BOUND.toNanos());
            double readyMs = (System.nanoTime() - started) / 1e6;
            // the page and its main module, so the dev server has transformed what a browser asks for first
            for (String path : List.of("/", "/" + react.mainFile())) {
                http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).build(),
                        HttpResponse.BodyHandlers.discarding());
            }
            OptionalLong runtime = residentKib(process.pid());
            List<Resident> under = new ArrayList<>();
            for (ProcessHandle child : process.descendants().toList()) {
                residentKib(child.pid()).ifPresent(kib -> under.add(new Resident(commandOf(child), kib)));
            }
            return new DevServerFootprint(react.name(), readyMs, runtime, under);
        } finally {
            stop(process, false);
        }
    }

    private Path bundle(String name, List<ProjectFile> files) throws IOException {
        Files.createDirectories(root);
        Path bundle = root.resolve(name + ".bundle.json");
        MachineSpec spec = new MachineSpec(UUID.randomUUID(), "bench", UUID.randomUUID(),
                new MachineSize("shared", 1, 256), UUID.randomUUID().toString(), files, Map.of());
        try (OutputStream out = Files.newOutputStream(bundle)) {
            RuntimeBundle.write(spec, out);
        }
        return bundle;
    }

    private static int awaitListening(Process process, Path portFile, long deadline) throws Exception {
        while (System.nanoTime() < deadline) {
            requireAlive(process);
            String written = Files.exists(portFile) ? Files.readString(portFile).trim() : "";
            if (!written.isEmpty()) {
                int port = Integer.parseInt(written);
                try (Socket socket = new Socket()) {
                    socket.connect(new InetSocketAddress("127.0.0.1", port), 200);
                    return port;
                } catch (IOException notYet) {
                    // the port file is written as the socket binds; a connect a moment later succeeds
                }
            }
            // a short park, not a spin: on two busy cores a spinning poll takes the CPU the measured start needs
            java.util.concurrent.locks.LockSupport.parkNanos(LISTENING_POLL_NANOS);
        }
        throw new IllegalStateException("the runtime did not listen within " + START_BOUND);
    }

    private void awaitHealthy(Process process, int port, long deadline) throws Exception {
        HttpRequest health = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/health")).build();
        while (System.nanoTime() < deadline) {
            requireAlive(process);
            if (http.send(health, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
                return;
            }
            // the bench's own poll: a real wait, not a test's synchronization
            Thread.sleep(5);
        }
        throw new IllegalStateException("the runtime was not ready in time");
    }

    private static void requireAlive(Process process) {
        if (!process.isAlive()) {
            throw new IllegalStateException("the runtime exited with " + process.exitValue()
                    + " before it was ready; see its log in the bench's folder");
        }
    }

    /** Stops the runtime and its children; a training run must exit normally, or the JVM writes no archive. */
    private static void stop(Process process, boolean training) throws InterruptedException {
        List<ProcessHandle> children = process.descendants().toList();
        process.destroy();
        if (!process.waitFor(training ? 60 : 10, java.util.concurrent.TimeUnit.SECONDS)) {
            process.destroyForcibly().waitFor();
        }
        children.forEach(ProcessHandle::destroyForcibly);
    }

    /** VmRSS of one process, from Linux's {@code /proc}; empty elsewhere. */
    static OptionalLong residentKib(long pid) {
        try (Stream<String> lines = Files.lines(Path.of("/proc", Long.toString(pid), "status"))) {
            return lines.filter(line -> line.startsWith("VmRSS:"))
                    .mapToLong(line -> Long.parseLong(line.replaceAll("[^0-9]", "")))
                    .findFirst();
        } catch (IOException | RuntimeException e) {
            return OptionalLong.empty();
        }
    }

    /** The program and its first argument, enough to tell npm from Node from Vite. */
    private static String commandOf(ProcessHandle process) {
        ProcessHandle.Info info = process.info();
        String program = info.command().map(command -> Path.of(command).getFileName().toString()).orElse("?");
        String[] arguments = info.arguments().orElse(new String[0]);
        return arguments.length == 0 ? program : program + " " + Path.of(arguments[0]).getFileName();
    }

    private static List<String> join(List<String> options, String... more) {
        List<String> joined = new ArrayList<>(options);
        joined.addAll(List.of(more));
        return joined;
    }
}
