package dev.velocitypreview.bench.routing;

import java.util.List;
import java.util.Locale;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.util.Statistics;

import dev.velocitypreview.bench.rig.SyntheticSessions;

/**
 * Scenario 3: the route decision on a real session directory, through JMH, and the heap of the directory's decoded
 * views.
 *
 * @param settings  how it ran
 * @param runs      one per benchmark method, sorted by name
 * @param footprint the decoded views' heap at the same number of sessions
 */
public record RouteDecisionResult(RouteDecisionRun settings, List<RunResult> runs, DecodedViewsFootprint footprint) {

    public static final String HEADING = "## 3. Route decision (in-process, JMH)";
    /** How the scenario's summary line starts, to find it in an existing report. */
    public static final String SUMMARY_START = "Route decision with ";

    /** Median of {@code benchmark} (a method name) in nanoseconds. */
    public double median(String benchmark) {
        return statistics(benchmark).getPercentile(50);
    }

    public double p99(String benchmark) {
        return statistics(benchmark).getPercentile(99);
    }

    private Statistics statistics(String benchmark) {
        return runs.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + benchmark))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + benchmark))
                .getPrimaryResult().getStatistics();
    }

    /** How many times longer the old path (two store reads) takes than the live lookup, by medians. */
    public double storePathRatio() {
        return median("liveSessionFromStores") / median("liveSession");
    }

    public String summaryLine() {
        return String.format(Locale.ROOT, SUMMARY_START + "%,d live sessions in the directory (JMH on "
                        + "`SessionDirectory.lookup`): %s median, %s p99 for a live session (the old path, two store "
                        + "reads: %s median, %.0f× longer); %s for an unknown id, %s for an ended one; decoded views "
                        + "%,.0f bytes per session.",
                settings.sessions(), micros(median("liveSession")), micros(p99("liveSession")),
                micros(median("liveSessionFromStores")), storePathRatio(), micros(median("unknownSession")),
                micros(median("endedSession")), footprint.bytesPerSession());
    }

    public String section() {
        StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n")
                .append("What is measured: the router's route decision for one session id, on platform-core's real "
                        + "`SessionDirectory` — `lookup(id)`, then the session's `status().routing()`, as the router "
                        + "does for every request. The directory's topology (`SessionDirectoryTopology`) runs in a "
                        + "`TopologyTestDriver` instead of Kafka Streams (the directory's `Engine` seam) and is filled "
                        + "through the real topic serdes: ")
                .append(String.format(Locale.ROOT, "%,d live sessions (a CREATE and an ACTIVE row each) and %,d "
                        + "ended ones in retention (a TERMINATED row).", settings.sessions(),
                        RouteDecisionBenchmark.ENDED))
                .append(" `liveSession` is the path real traffic takes: a live session is answered from the "
                        + "directory's index of decoded newest views, one map read. `endedSession` is answered from "
                        + "the stores (two reads, each decoding JSON); `unknownSession` is an id never seen. "
                        + "`liveSessionFromStores` is the old path, for comparison in the same run: a live session's "
                        + "two store reads and the newer of the two, as every lookup worked before the directory "
                        + "kept decoded views. Keys are drawn at random each call (`liveSession` computes its id "
                        + "from a random index, a fresh `UUID` as the router parses from each request, rather than "
                        + "reading a stored one). Single thread; "
                        + "no network, no Kafka broker, no HTTP. JMH: ")
                .append(settings.settingsLine()).append(".\n\n")
                .append("| Scenario | Live sessions | Median | p99 | p99.9 | Samples | Iterations |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult result : runs) {
            Statistics stats = result.getPrimaryResult().getStatistics();
            String name = result.getParams().getBenchmark();
            md.append("| `").append(name.substring(name.lastIndexOf('.') + 1)).append("` | ")
                    .append(result.getParams().getParam("sessions")).append(" | ")
                    .append(micros(stats.getPercentile(50))).append(" | ")
                    .append(micros(stats.getPercentile(99))).append(" | ")
                    .append(micros(stats.getPercentile(99.9))).append(" | ")
                    .append(stats.getN()).append(" | ")
                    .append(Math.max(1, settings.forks())).append(" × ").append(settings.measurements()).append(" |\n");
        }
        md.append(String.format(Locale.ROOT, "%nThe old path takes %.0f× the live lookup's median (it decodes two JSON "
                        + "rows per request; the live lookup decodes nothing).%n%n", storePathRatio()))
                .append(String.format(Locale.ROOT, "Memory of the decoded views: the directory's index (`SessionIndex`: "
                        + "each live session's decoded newest view by id, and each user's ids) holding %,d live "
                        + "sessions of %,d users, fed as the topology feeds it with views decoded by the real "
                        + "serdes, takes %.1f MiB of heap, **%,.0f bytes per session** (used heap after full "
                        + "collections, less the heap before the index was made, in the suite's JVM). That is the "
                        + "price of the live path, beside the stores' own bytes (scenario 8 measures the whole "
                        + "directory).%n%n",
                        footprint.sessions(), SyntheticSessions.USERS, footprint.indexBytes() / (1024.0 * 1024),
                        footprint.bytesPerSession()));
        return md.toString();
    }

    static String micros(double nanos) {
        return String.format(Locale.ROOT, "%.2f µs", nanos / 1_000);
    }
}
