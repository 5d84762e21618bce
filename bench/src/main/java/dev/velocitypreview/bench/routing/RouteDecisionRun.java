package dev.velocitypreview.bench.routing;

import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;
import org.openjdk.jmh.util.Statistics;

/**
 * Scenario 3 through JMH, and its part of the report.
 *
 * @param sessions     sessions in the store
 * @param forks        JMH forks; 0 runs in this JVM (only for the smoke run: JIT state is shared)
 * @param warmups      warm-up iterations
 * @param measurements measured iterations
 * @param iteration    length of one iteration
 */
public record RouteDecisionRun(int sessions, int forks, int warmups, int measurements, TimeValue iteration) {

    /** The results, one per benchmark method, sorted by name. */
    public List<RunResult> run() throws RunnerException {
        System.out.println("bench: route decision (JMH), " + sessions + " sessions in the store");
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(RouteDecisionBenchmark.class.getName())
                .param("sessions", Integer.toString(sessions))
                .forks(forks)
                .warmupIterations(warmups)
                .warmupTime(iteration)
                .measurementIterations(measurements)
                .measurementTime(iteration)
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build()).run();
        return results.stream().sorted(Comparator.comparing(r -> r.getParams().getBenchmark())).toList();
    }

    /** Median of {@code benchmark} (a method name) in nanoseconds. */
    public static double median(List<RunResult> results, String benchmark) {
        return results.stream()
                .filter(r -> r.getParams().getBenchmark().endsWith("." + benchmark))
                .findFirst()
                .orElseThrow(() -> new IllegalStateException("no result for " + benchmark))
                .getPrimaryResult().getStatistics().getPercentile(50);
    }

    public String settingsLine() {
        return forks + " fork" + (forks == 1 ? "" : "s") + ", " + warmups + " × " + iteration + " warm-up, "
                + measurements + " × " + iteration + " measurement, SampleTime mode";
    }

    public String section(List<RunResult> results) {
        StringBuilder md = new StringBuilder();
        md.append("## 3. Route decision (in-process, JMH)\n\n")
                .append("What is measured: the router's lookup of one session id from its stores, the path "
                        + "`SessionDirectory.lookup` takes for an ended or unknown session — a read of the "
                        + "requested-sessions store, a read of the sessions store, the newer of the two — followed by "
                        + "the session's routing decision (`status().routing()`); a session that has not ended is "
                        + "answered from the directory's decoded views instead, a map read, which this does not "
                        + "measure. The stores are platform-core's real directory topology "
                        + "(`SessionDirectoryTopology`) run in a `TopologyTestDriver` and filled through the real "
                        + "topic serdes with the CREATE and an ACTIVE changelog row of each session, so every read "
                        + "pays the JSON deserialization of the store path. Keys are drawn at random each call "
                        + "(`knownSession`: one of the stored sessions; `unknownSession`: an id never seen, both stores "
                        + "miss). Single thread; no network, no Kafka broker, no HTTP. JMH: ")
                .append(settingsLine()).append(".\n\n")
                .append("| Scenario | Sessions in store | Median | p99 | p99.9 | Samples | Iterations |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (RunResult result : results) {
            Statistics stats = result.getPrimaryResult().getStatistics();
            String name = result.getParams().getBenchmark();
            md.append("| `").append(name.substring(name.lastIndexOf('.') + 1)).append("` | ")
                    .append(result.getParams().getParam("sessions")).append(" | ")
                    .append(micros(stats.getPercentile(50))).append(" | ")
                    .append(micros(stats.getPercentile(99))).append(" | ")
                    .append(micros(stats.getPercentile(99.9))).append(" | ")
                    .append(stats.getN()).append(" | ")
                    .append(Math.max(1, forks)).append(" × ").append(measurements).append(" |\n");
        }
        md.append(String.format(Locale.ROOT, "%nRatio of medians, known / unknown id: %.1f× (a hit deserializes two "
                        + "JSON rows; a miss deserializes nothing).%n%n",
                median(results, "knownSession") / median(results, "unknownSession")));
        return md.toString();
    }

    static String micros(double nanos) {
        return String.format(Locale.ROOT, "%.2f µs", nanos / 1_000);
    }
}
