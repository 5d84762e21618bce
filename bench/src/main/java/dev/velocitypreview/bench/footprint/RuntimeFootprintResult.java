package dev.velocitypreview.bench.footprint;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.OptionalLong;

import dev.velocitypreview.bench.report.Samples;

/** Scenario 11: start time and resident memory of the runtime inside a machine. */
public record RuntimeFootprintResult(RuntimeFootprintScenario.Settings settings, List<Variant> variants,
                                     List<Baseline> baselines, String archiveUnavailable, DevServerFootprint devServer, Duration took) {

    public static final String HEADING = "## 11. Runtime footprint";
    /** How the scenario's summary line starts, to find it in an existing report. */
    public static final String SUMMARY_START = "Runtime footprint";
    /** Issue 11's targets: a 256 MB machine holds the runtime and a Vite dev server. */
    public static final double TARGET_LISTENING_MS = 150;
    public static final double TARGET_RESIDENT_MIB = 64;
    public static final double MACHINE_MIB = 256;

    /** One way of starting the runtime, and its starts. */
    public record Variant(String name, List<String> jvmOptions, List<Start> starts) {

        public Samples listening() {
            return Samples.of(starts.stream().map(Start::listeningMs).toList());
        }

        public Samples ready() {
            return Samples.of(starts.stream().map(Start::readyMs).toList());
        }

        /** Resident memory in MiB, of the starts where the OS told it. */
        public Samples residentMib() {
            return Samples.of(starts.stream().filter(start -> start.residentKib().isPresent())
                    .map(start -> start.residentKib().getAsLong() / 1024.0).toList());
        }
    }

    /** A JVM that does next to nothing, with the runtime's options: process start → its first output, once per turn. */
    public record Baseline(String name, List<String> arguments, List<Double> firstOutputMs) {

        public Samples firstOutput() {
            return Samples.of(firstOutputMs);
        }
    }

    /**
     * @param listeningMs process start → its port accepts a connection
     * @param readyMs     process start → {@code /health} answers 200
     * @param residentKib resident memory after the requests, empty where {@code /proc} is not there
     */
    public record Start(double listeningMs, double readyMs, OptionalLong residentKib) {
    }

    /**
     * @param runtimeKib the runtime's own resident memory with its dev server running
     * @param under      every process under the runtime (npm, a shell, Node running Vite) and its resident memory
     */
    public record DevServerFootprint(String template, double readyMs, OptionalLong runtimeKib, List<Resident> under) {

        /** The runtime's and its processes', pages they share counted in each: an upper bound. */
        public OptionalLong treeKib() {
            return runtimeKib.isEmpty() ? runtimeKib
                    : OptionalLong.of(runtimeKib.getAsLong() + under.stream().mapToLong(Resident::kib).sum());
        }
    }

    /** One process and its resident memory. */
    public record Resident(String command, long kib) {
    }

    public String summaryLine() {
        Variant plain = variants.get(0);
        StringBuilder line = new StringBuilder(String.format(Locale.ROOT, SUMMARY_START + " (static project, %d starts "
                        + "per variant): listening after %s median, ready after %s, %s resident with the driver's options and no "
                        + "class-data archive",
                settings.starts(), plain.listening().medianMillis(), plain.ready().medianMillis(),
                mib(plain.residentMib())));
        if (variants.size() > 1) {
            Variant archived = variants.get(1);
            line.append(String.format(Locale.ROOT, "; %s, ready after %s, %s resident, with the driver's class-data "
                            + "archive (listening %s of the plain median)", archived.listening().medianMillis(),
                    archived.ready().medianMillis(), mib(archived.residentMib()),
                    ratio(archived.listening(), plain.listening())));
        }
        for (Baseline baseline : baselines) {
            line.append(String.format(Locale.ROOT, "; %s prints after %s", baseline.name(), baseline.firstOutput().medianMillis()));
        }
        if (devServer != null && devServer.treeKib().isPresent()) {
            line.append(String.format(Locale.ROOT, "; the %s template's runtime with its Vite dev server: %.0f MiB for "
                    + "the whole tree of a %.0f MB machine", devServer.template(), devServer.treeKib().getAsLong() / 1024.0,
                    MACHINE_MIB));
        }
        return line.append('.').toString();
    }

    public String section() {
        StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n")
                .append(String.format(Locale.ROOT, "What is measured: preview-runtime started as the local driver "
                        + "starts a machine (its JVM options, the minimal class path of the runtime and its two "
                        + "libraries, a bundle file of a one-file static project), %d times per variant, the variants "
                        + "taking turns so both see the same load. From the process's start: until its port file "
                        + "names a port that accepts a connection (listening), and until `/health` answers 200 "
                        + "(files written, ready). Resident memory (`VmRSS`) after %d requests. The second variant adds "
                        + "a class-data archive of the runtime's classes made by one training run "
                        + "(the runtime's `ClassDataTraining` under `-XX:ArchiveClassesAtExit`, then `-XX:SharedArchiveFile`), "
                        + "as the local driver does at its first launch and the machine image at build time. In the "
                        + "same turns, what the JVM alone takes with the driver's options, start to its first "
                        + "output: `java -version`, and a hello world (one class, one line printed). This run took %.0f s.%n%n",
                settings.starts(), 50, took.toMillis() / 1000.0));
        if (archiveUnavailable != null) {
            md.append("The class-data archive was not measured: ").append(archiveUnavailable).append(".\n\n");
        }
        md.append("| Variant | JVM options | Listening p50 | p90 | Ready p50 | p90 | Resident p50 |\n")
                .append("|---|---|---:|---:|---:|---:|---:|\n");
        for (Variant variant : variants) {
            md.append(String.format(Locale.ROOT, "| %s | `%s` | %s | %s | %s | %s | %s |%n", variant.name(),
                    String.join(" ", variant.jvmOptions()).replaceAll("=\\S*/", "=…/"),
                    variant.listening().medianMillis(), p90(variant.listening()), variant.ready().medianMillis(),
                    p90(variant.ready()), mib(variant.residentMib())));
        }
        for (Baseline baseline : baselines) {
            md.append(String.format(Locale.ROOT, "| %s, start to first output | `%s` | %s | %s | – | – | – |%n", baseline.name(),
                    String.join(" ", baseline.arguments()).replaceAll("=\\S*/", "=…/").replaceAll("-cp \\S*/", "-cp …/"),
                    baseline.firstOutput().medianMillis(), p90(baseline.firstOutput())));
        }
        Variant plain = variants.get(0);
        md.append(String.format(Locale.ROOT, "%nTargets (issue 11): listening ≤ %.0f ms: %s without an archive"
                        + "%s; resident ≤ %.0f MiB: %s.%n", TARGET_LISTENING_MS,
                met(plain.listening().median() <= TARGET_LISTENING_MS),
                variants.size() > 1 ? String.format(Locale.ROOT, ", %s with the archive (ratio of medians %s)",
                        met(variants.get(1).listening().median() <= TARGET_LISTENING_MS),
                        ratio(variants.get(1).listening(), plain.listening())) : "",
                TARGET_RESIDENT_MIB, met(!plain.residentMib().isEmpty()
                        && plain.residentMib().median() <= TARGET_RESIDENT_MIB)));
        Variant best = variants.get(variants.size() - 1);
        for (Baseline baseline : baselines) {
            md.append(String.format(Locale.ROOT, "Listening (%s) against %s: %s of its time to its first output.%n", best.name(),
                    baseline.name(), ratio(best.listening(), baseline.firstOutput())));
        }
        if (devServer != null) {
            md.append(String.format(Locale.ROOT, "%nWith a dev server: the `%s` template, dependencies prepared, ready "
                            + "(Vite listening and its first page compiled) after %s; the runtime then holds %s "
                            + "resident, and the runtime with every process under it %s, counting shared pages in "
                            + "each (an upper bound), of a %.0f MB machine:%n%n| Process | Resident |%n|---|---:|%n"
                            + "| preview-runtime (Java) | %s |%n",
                    devServer.template(), Samples.millis(devServer.readyMs()), kib(devServer.runtimeKib()),
                    kib(devServer.treeKib()), MACHINE_MIB, kib(devServer.runtimeKib())));
            for (Resident process : devServer.under()) {
                md.append(String.format(Locale.ROOT, "| `%s` | %s |%n", process.command(),
                        kib(OptionalLong.of(process.kib()))));
            }
        }
        return md.append('\n').toString();
    }

    private static String met(boolean met) {
        return met ? "met" : "not met";
    }

    private static String p90(Samples samples) {
        return samples.isEmpty() ? "–" : Samples.millis(samples.percentile(90));
    }

    private static String mib(Samples samples) {
        return samples.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f MiB", samples.median());
    }

    private static String kib(OptionalLong kib) {
        return kib.isEmpty() ? "–" : String.format(Locale.ROOT, "%.1f MiB", kib.getAsLong() / 1024.0);
    }

    private static String ratio(Samples of, Samples to) {
        return of.isEmpty() || to.isEmpty() ? "–" : String.format(Locale.ROOT, "%.2f×", of.median() / to.median());
    }
}
