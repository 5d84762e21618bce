package dev.velocitypreview.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.slf4j.bridge.SLF4JBridgeHandler;

import dev.velocitypreview.bench.baseline.DatabasePollingRouter;
import dev.velocitypreview.bench.changelog.ChangelogLagResult;
import dev.velocitypreview.bench.changelog.ChangelogLagScenario;
import dev.velocitypreview.bench.consumer.SlowSessionResult;
import dev.velocitypreview.bench.consumer.SlowSessionScenario;
import dev.velocitypreview.bench.firstbyte.FirstByteResult;
import dev.velocitypreview.bench.footprint.RuntimeFootprintResult;
import dev.velocitypreview.bench.footprint.RuntimeFootprintScenario;
import dev.velocitypreview.bench.firstbyte.FirstByteScenario;
import dev.velocitypreview.bench.liveedit.LiveEditResult;
import dev.velocitypreview.bench.liveedit.LiveEditScenario;
import dev.velocitypreview.bench.proxy.ProxyOverheadScenario;
import dev.velocitypreview.bench.proxy.ProxyResult;
import dev.velocitypreview.bench.report.Samples;
import dev.velocitypreview.bench.retention.RetentionHeapResult;
import dev.velocitypreview.bench.retention.RetentionHeapScenario;
import dev.velocitypreview.bench.rig.Infrastructure;
import dev.velocitypreview.bench.rig.PlatformRig;
import dev.velocitypreview.bench.routing.RouteDecisionResult;
import dev.velocitypreview.bench.throughput.ThroughputResult;
import dev.velocitypreview.bench.throughput.ThroughputScenario;
import dev.velocitypreview.bench.wake.WakeResult;
import dev.velocitypreview.bench.wake.WakeScenario;
import dev.velocitypreview.bench.warmstart.WarmStartResult;
import dev.velocitypreview.bench.warmstart.WarmStartScenario;

/**
 * Runs every scenario of the benchmark suite and writes the report (by default {@code docs/benchmarks.md}) with its
 * charts in a folder of the same name beside it ({@code docs/benchmarks/*.png}).
 * Usage: {@code BenchSuite [report-path [all|proxy|routing|consumer|retention|wake|liveedit|footprint|throughput|warmstart]]};
 * {@code proxy} runs scenario 4 alone and prints its
 * figures without touching the report (for working on the router: {@code mvn -q -f bench/pom.xml compile exec:exec
 * -Dbench.only=proxy}); {@code consumer} runs scenario 7 alone, prints its figures and replaces its section and
 * summary line in an existing report, leaving the rest as it was (for working on the provisioner's consumer:
 * {@code -Dbench.only=consumer}); {@code retention} does the same for scenario 8 (for working on the session
 * directory: {@code -Dbench.only=retention}), {@code routing} for scenario 3 (for working on the directory's lookup:
 * {@code -Dbench.only=routing}), {@code wake} for scenario 9 (for working on suspend and wake:
 * {@code -Dbench.only=wake}), {@code liveedit} for scenario 10 ({@code -Dbench.only=liveedit}), and {@code footprint}
 * for scenario 11 ({@code -Dbench.only=footprint}), {@code throughput} for scenario 6 ({@code -Dbench.only=throughput},
 * its summary lines replaced as a block), and {@code warmstart} for scenario 12 (for working on warm pools:
 * {@code -Dbench.only=warmstart}).
 */
public final class BenchSuite {

    public static final String COMMAND = "mvn -q -f bench/pom.xml compile exec:exec";

    private BenchSuite() {
    }

    public static void main(String[] args) throws Exception {
        Path report = Path.of(args.length > 0 ? args[0] : "docs/benchmarks.md");
        // Tomcat logs through java.util.logging: into the one console format, at the bench's levels
        SLF4JBridgeHandler.removeHandlersForRootLogger();
        SLF4JBridgeHandler.install();
        String only = args.length > 1 ? args[1] : "all";
        if (only.equals("proxy")) {
            runProxy(BenchPlan.FULL);
        } else if (ALONE.containsKey(only)) {
            runAlone(ALONE.get(only), BenchPlan.FULL, report);
        } else if (only.equals("all")) {
            run(BenchPlan.FULL, report);
        } else {
            System.err.println("bench: no scenario named '" + only + "': name one of all, proxy, "
                    + String.join(", ", new java.util.TreeSet<>(ALONE.keySet())));
            System.exit(2);
        }
        // the platform's libraries leave non-daemon threads behind (Kafka, Debezium); the run is over
        System.exit(0);
    }

    /** Everything one run measured, and where it wrote the report. */
    public record Results(Path report, Path charts, RouteDecisionResult routeDecision, FirstByteResult firstByte,
                          ProxyResult proxy, ChangelogLagResult changelog, ThroughputResult throughput,
                          SlowSessionResult slowSession, RetentionHeapResult retention, WakeResult wake,
                          LiveEditResult liveEdit, RuntimeFootprintResult footprint, WarmStartResult warmStart,
                          double seconds) {
    }

    public static Results run(BenchPlan plan, Path reportPath) throws Exception {
        long started = System.nanoTime();
        Path report = reportPath.toAbsolutePath().normalize();
        String stem = report.getFileName().toString().replaceFirst("\\.md$", "");
        Path charts = report.resolveSibling(stem);
        Files.createDirectories(charts);

        // first, while this JVM holds nothing else: the figure is a heap difference
        RetentionHeapResult retention = new RetentionHeapScenario().run(plan.retention());
        RouteDecisionResult routeDecision = plan.routeDecision().run();
        // before the platform starts, so the runtime's starts compete with nothing of the bench's own
        RuntimeFootprintResult footprint = new RuntimeFootprintScenario(Files.createTempDirectory("velocity-bench-footprint-"))
                .run(plan.footprint());
        FirstByteResult firstByte;
        ProxyResult proxy;
        ChangelogLagResult changelog;
        ThroughputResult throughput;
        SlowSessionResult slowSession;
        WakeResult wake;
        LiveEditResult liveEdit;
        WarmStartResult warmStart;
        try (Infrastructure infrastructure = Infrastructure.start()) {
            System.out.println("bench: starting the embedded platform");
            try (PlatformRig rig = PlatformRig.start(infrastructure);
                 DatabasePollingRouter oldWay = DatabasePollingRouter.start(rig.jdbcUrl(), rig.databaseUser(), "")) {
                firstByte = new FirstByteScenario(rig, oldWay).run(plan.firstByteConcurrencies(), plan.firstByteSessions());
                proxy = new ProxyOverheadScenario(rig, infrastructure).run(plan.proxy());
                wake = new WakeScenario(rig).run(plan.wake());
                liveEdit = new LiveEditScenario(rig).run(plan.liveEdit());
            }
            // a platform of its own: its pool's machines would change the others' figures (scenario 10's cold store)
            warmStart = warmStart(infrastructure, plan);
            changelog = new ChangelogLagScenario(infrastructure).run(plan.changelogSequential(), plan.changelogBurst());
            throughput = new ThroughputScenario(infrastructure).run(plan.throughput());
            slowSession = new SlowSessionScenario(infrastructure.directory("slow-session")).run(plan.slowSession());
        }
        double seconds = (System.nanoTime() - started) / 1e9;
        String link = stem + "/";
        StringBuilder md = new StringBuilder();
        md.append(header(plan, seconds))
                .append(summary(plan, routeDecision, firstByte, proxy, changelog, throughput, slowSession, retention, wake,
                        liveEdit, footprint, warmStart))
                .append(firstByte.firstByteSection(charts, link))
                .append(changelog.section(charts, link))
                .append(routeDecision.section())
                .append(proxy.section(charts, link))
                .append(firstByte.oldWaySection())
                .append(throughput.section(charts, link))
                .append(slowSession.section())
                .append(retention.section())
                .append(wake.section())
                .append(liveEdit.section())
                .append(footprint.section())
                .append(warmStart.section());
        Files.writeString(report, md.toString());
        System.out.printf(Locale.ROOT, "bench: wrote %s and its charts in %s (%.0f s)%n", report, charts, seconds);
        return new Results(report, charts, routeDecision, firstByte, proxy, changelog, throughput, slowSession,
                retention, wake, liveEdit, footprint, warmStart, seconds);
    }

    /** Scenario 4 alone, its figures on standard output. */
    static ProxyResult runProxy(BenchPlan plan) throws Exception {
        ProxyResult proxy;
        try (Infrastructure infrastructure = Infrastructure.start()) {
            System.out.println("bench: starting the embedded platform");
            try (PlatformRig rig = PlatformRig.start(infrastructure)) {
                proxy = new ProxyOverheadScenario(rig, infrastructure).run(plan.proxy());
            }
        }
        if (!proxy.measured()) {
            System.out.println("bench: proxy overhead not measured: " + proxy.unavailable());
        }
        for (ProxyResult.Measurement measurement : proxy.measurements()) {
            System.out.printf(Locale.ROOT, "bench: %-10s %-26s %9.0f req/s  median %6.2f ms  p99 %6.2f ms  errors %d  warm-up runs %d%n",
                    measurement.size(), measurement.target(), measurement.requestsPerSecond(), measurement.medianMs(),
                    measurement.p99Ms(), measurement.errors(), measurement.warmUps());
        }
        return proxy;
    }

    /**
     * What a scenario run alone replaces in an existing report: its section (from {@code heading} to the next
     * {@code ## }) and its summary lines (from the one starting with {@code "- " + summaryStart} to the last starting
     * with {@code "- " + summaryEnd}; one line for most scenarios).
     */
    private record Alone(String heading, String section, String summaryStart, String summaryEnd, List<String> summaryLines) {

        Alone(String heading, String section, String summaryStart, String summaryLine) {
            this(heading, section, summaryStart, summaryStart, List.of(summaryLine));
        }
    }

    /** One scenario on its own, given the plan and the report's chart folder (which it creates if it draws). */
    @FunctionalInterface
    private interface AloneScenario {
        Alone run(BenchPlan plan, Path charts) throws Exception;
    }

    /**
     * The scenarios that run alone (the second argument), each on what it needs: scenario 3 in a JMH fork, 7, 8 and
     * 11 without a platform, 6 on a broker of its own, 9 and 10 on a platform of their own, 12 on one with its pool.
     */
    private static final Map<String, AloneScenario> ALONE = Map.of(
            "routing", (plan, charts) -> {
                RouteDecisionResult result = plan.routeDecision().run();
                return new Alone(RouteDecisionResult.HEADING, result.section(), RouteDecisionResult.SUMMARY_START,
                        result.summaryLine());
            },
            "consumer", (plan, charts) -> {
                SlowSessionResult result = new SlowSessionScenario(Files.createTempDirectory("velocity-bench-slow-session-"))
                        .run(plan.slowSession());
                for (SlowSessionResult.Measurement m : result.measurements()) {
                    System.out.printf(Locale.ROOT, "bench: %-12s other sessions median %s max %s, slow session %s, committed %d%n",
                            m.variant(), m.others().medianMillis(), Samples.millis(m.others().max()),
                            Samples.millis(m.slowMillis()), m.committed());
                }
                return new Alone(SlowSessionResult.HEADING, result.section(), SlowSessionResult.SUMMARY_START,
                        result.summaryLine());
            },
            "retention", (plan, charts) -> {
                RetentionHeapResult result = new RetentionHeapScenario().run(plan.retention());
                return new Alone(RetentionHeapResult.HEADING, result.section(), RetentionHeapResult.SUMMARY_START,
                        result.summaryLine());
            },
            "wake", (plan, charts) -> {
                WakeResult result = onPlatform(rig -> new WakeScenario(rig).run(plan.wake()));
                return new Alone(WakeResult.HEADING, result.section(), WakeResult.SUMMARY_START, result.summaryLine());
            },
            "liveedit", (plan, charts) -> {
                LiveEditResult result = onPlatform(rig -> new LiveEditScenario(rig).run(plan.liveEdit()));
                return new Alone(LiveEditResult.HEADING, result.section(), LiveEditResult.SUMMARY_START,
                        result.summaryLine());
            },
            "footprint", (plan, charts) -> {
                RuntimeFootprintResult result = new RuntimeFootprintScenario(
                        Files.createTempDirectory("velocity-bench-footprint-")).run(plan.footprint());
                return new Alone(RuntimeFootprintResult.HEADING, result.section(), RuntimeFootprintResult.SUMMARY_START,
                        result.summaryLine());
            },
            "throughput", (plan, charts) -> {
                ThroughputResult result;
                try (Infrastructure infrastructure = Infrastructure.start()) {
                    result = new ThroughputScenario(infrastructure).run(plan.throughput());
                }
                Files.createDirectories(charts);
                return new Alone(ThroughputResult.HEADING, result.section(charts, charts.getFileName() + "/"),
                        ThroughputResult.SUMMARY_START, ThroughputResult.SUMMARY_END, result.summaryLines());
            },
            "warmstart", (plan, charts) -> {
                WarmStartResult result;
                try (Infrastructure infrastructure = Infrastructure.start()) {
                    result = warmStart(infrastructure, plan);
                }
                return new Alone(WarmStartResult.HEADING, result.section(), WarmStartResult.SUMMARY_START,
                        result.summaryLine());
            });

    /** A scenario alone: its summary on standard output, and its section and summary replaced in the report if any. */
    private static void runAlone(AloneScenario scenario, BenchPlan plan, Path reportPath) throws Exception {
        Path charts = reportPath.resolveSibling(reportPath.getFileName().toString().replaceFirst("\\.md$", ""));
        Alone result = scenario.run(plan, charts);
        result.summaryLines().forEach(line -> System.out.println("bench: " + line));
        if (Files.exists(reportPath)) {
            String report = withSection(Files.readString(reportPath), result.heading(), result.section(),
                    "- " + result.summaryStart(), result.summaryLines().get(0));
            if (result.summaryLines().size() > 1) {
                report = withSummaryLines(report, "- " + result.summaryStart(), "- " + result.summaryEnd(),
                        result.summaryLines());
            }
            Files.writeString(reportPath, report);
            System.out.println("bench: replaced " + result.heading() + " in " + reportPath);
        }
    }

    /** A platform-run step, which may throw what the scenarios throw. */
    @FunctionalInterface
    private interface OnPlatform<T> {
        T run(PlatformRig rig) throws Exception;
    }

    /** Runs a scenario on an embedded platform of its own. */
    private static <T> T onPlatform(OnPlatform<T> scenario) throws Exception {
        try (Infrastructure infrastructure = Infrastructure.start()) {
            System.out.println("bench: starting the embedded platform");
            try (PlatformRig rig = PlatformRig.start(infrastructure)) {
                return scenario.run(rig);
            }
        }
    }

    /**
     * The report with the summary's lines from the first that starts with {@code first} to the last that starts with
     * {@code last} replaced by {@code lines}; as it was when there is no such line.
     */
    static String withSummaryLines(String report, String first, String last, List<String> lines) {
        int start = report.indexOf(first);
        int lastLine = report.lastIndexOf(last);
        if (start < 0 || lastLine < start) {
            return report;
        }
        int end = report.indexOf('\n', lastLine);
        StringBuilder block = new StringBuilder();
        lines.forEach(line -> block.append("- ").append(line).append('\n'));
        return report.substring(0, start) + block + report.substring(end + 1);
    }

    /** Scenario 12 on a platform started with its warm pool. */
    private static WarmStartResult warmStart(Infrastructure infrastructure, BenchPlan plan) throws InterruptedException {
        System.out.println("bench: starting the embedded platform with a warm pool");
        try (PlatformRig rig = PlatformRig.start(infrastructure, "warm_pool",
                WarmStartScenario.poolSettings(plan.warmStart()))) {
            return new WarmStartScenario(rig).run(plan.warmStart());
        }
    }

    /**
     * The report with one scenario's section (from {@code heading} to the next {@code ## }) and its summary line
     * (the one starting with {@code summaryMarker}) replaced, or added at the end of the report and of the summary.
     */
    static String withSection(String report, String heading, String section, String summaryMarker, String summaryLine) {
        int start = report.indexOf(heading);
        String replaced;
        if (start < 0) {
            replaced = report.endsWith("\n\n") ? report + section : report.stripTrailing() + "\n\n" + section;
        } else {
            int next = report.indexOf("\n## ", start + heading.length());
            replaced = report.substring(0, start) + section + (next < 0 ? "" : report.substring(next + 1));
        }
        int line = replaced.indexOf(summaryMarker);
        if (line >= 0) {
            int end = replaced.indexOf('\n', line);
            return replaced.substring(0, line) + "- " + summaryLine + replaced.substring(end);
        }
        int summary = replaced.indexOf("## Summary");
        if (summary < 0) {
            return replaced;
        }
        int endOfList = replaced.indexOf("\n\n", replaced.indexOf("\n- ", summary));
        return replaced.substring(0, endOfList + 1) + "- " + summaryLine + "\n" + replaced.substring(endOfList + 1);
    }

    private static String header(BenchPlan plan, double seconds) {
        StringBuilder md = new StringBuilder();
        md.append("# Benchmarks\n\n")
                .append("Generated by `dev.velocitypreview.bench.BenchSuite` (").append(plan.name())
                .append(" run); refresh it with one command, after `mvn -q -DskipTests install` once:\n\n")
                .append("```sh\n").append(COMMAND).append("\n```\n\n")
                .append("It runs every scenario below in one JVM (the route decision in a JMH fork), writes this file "
                        + "and the charts in `benchmarks/`, and took ")
                .append(String.format(Locale.ROOT, "%.0f s", seconds))
                .append(" this time. Scenario 4 needs Debian's `wrk` and `nginx`; the suite installs them with "
                        + "`apt-get install -y nginx wrk` when they are missing and it runs as root, and says so below "
                        + "when it cannot. CI only checks that a small smoke run of every scenario completes "
                        + "(`BenchSmokeTest`).\n\n")
                .append("**Read the figures as medians and ratios, not as absolutes.** The machine is shared with "
                        + "other work and noisy: two cores run the platform, PostgreSQL, the Kafka broker, the preview "
                        + "machines (each its own JVM), the load generators and whatever else runs at the time. Ratios "
                        + "are between figures measured in this same run.\n\n")
                .append("## Machine\n\n")
                .append("| | |\n|---|---|\n")
                .append("| Date | ").append(OffsetDateTime.now(ZoneOffset.UTC).truncatedTo(ChronoUnit.SECONDS)
                        .format(DateTimeFormatter.ISO_OFFSET_DATE_TIME)).append(" |\n")
                .append("| CPUs (nproc) | ").append(Runtime.getRuntime().availableProcessors()).append(" |\n")
                .append("| Memory | ").append(memory()).append(" |\n")
                .append("| Load average at the end | ").append(loadAverage()).append(" |\n")
                .append("| OS | ").append(System.getProperty("os.name")).append(' ')
                .append(System.getProperty("os.version")).append(' ').append(System.getProperty("os.arch")).append(" |\n")
                .append("| Java | ").append(System.getProperty("java.vm.name")).append(' ')
                .append(System.getProperty("java.runtime.version")).append(" |\n\n");
        return md.toString();
    }

    private static String summary(BenchPlan plan, RouteDecisionResult routeDecision, FirstByteResult firstByte, ProxyResult proxy,
                                  ChangelogLagResult changelog, ThroughputResult throughput,
                                  SlowSessionResult slowSession, RetentionHeapResult retention, WakeResult wake,
                                  LiveEditResult liveEdit, RuntimeFootprintResult footprint,
                                  WarmStartResult warmStart) {
        List<String> lines = new ArrayList<>();
        for (FirstByteResult.Level level : firstByte.levels()) {
            Samples ours = level.firstByte();
            Samples old = level.oldWayAnswer();
            Samples overhead = level.platformOverhead();
            lines.add(String.format(Locale.ROOT, "Concurrency %d (%d sessions): first 200 after %s median (p99 %s), "
                            + "%d not found; the old way answered \"Session not found\" to %d (%.0f %%) after %s median; "
                            + "platform overhead (all but provisioning) %s median, %s of our median.",
                    level.concurrency(), level.sessions(), ours.medianMillis(), ours.p99Millis(), level.answered(404),
                    level.oldWayAnswered(404), 100.0 * level.oldWayAnswered(404) / level.sessions(), old.medianMillis(),
                    overhead.medianMillis(), overhead.isEmpty() || ours.isEmpty() ? "–"
                            : String.format(Locale.ROOT, "%.0f %%", 100 * overhead.median() / ours.median())));
        }
        lines.add(String.format(Locale.ROOT, "Changelog lag, commit → visible in a session directory: %s median, %s "
                        + "p99 one write at a time; %s median, %s p99 in a burst of eight writers.",
                changelog.sequential().medianMillis(), changelog.sequential().p99Millis(),
                changelog.burst().medianMillis(), changelog.burst().p99Millis()));
        lines.add(routeDecision.summaryLine());
        if (proxy.measured()) {
            lines.add(String.format(Locale.ROOT, "Proxy: our router serves %s of the requests/s of going straight to "
                            + "the machine for a small response and %s for 100 KiB; against nginx on the same machine: "
                            + "%s and %s.", percent(proxy.routerShareOfDirect(false)),
                    percent(proxy.routerShareOfDirect(true)), percent(proxy.routerShareOfNginx(false)),
                    percent(proxy.routerShareOfNginx(true))));
        } else {
            lines.add("Proxy overhead: not measured in this run (" + proxy.unavailable() + ").");
        }
        lines.addAll(throughput.summaryLines());
        lines.add(slowSession.summaryLine());
        lines.add(retention.summaryLine());
        lines.add(wake.summaryLine());
        lines.add(liveEdit.summaryLine());
        lines.add(footprint.summaryLine());
        lines.add(warmStart.summaryLine());
        StringBuilder md = new StringBuilder("## Summary: ratios and medians of this run\n\n");
        lines.forEach(line -> md.append("- ").append(line).append('\n'));
        return md.append('\n').toString();
    }

    private static String percent(java.util.Optional<Double> share) {
        return share.map(value -> String.format(Locale.ROOT, "%.0f %%", 100 * value)).orElse("–");
    }

    private static String memory() {
        if (ManagementFactory.getOperatingSystemMXBean() instanceof com.sun.management.OperatingSystemMXBean os) {
            return String.format(Locale.ROOT, "%.1f GiB", os.getTotalMemorySize() / (1024.0 * 1024 * 1024));
        }
        return "unknown";
    }

    private static String loadAverage() {
        try {
            return Files.readString(Path.of("/proc/loadavg")).trim().split(" ", 4)[0] + " (1 min)";
        } catch (IOException e) {
            return String.format(Locale.ROOT, "%.2f (1 min)",
                    ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        }
    }
}
