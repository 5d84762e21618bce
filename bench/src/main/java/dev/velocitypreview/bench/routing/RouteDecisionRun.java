package dev.velocitypreview.bench.routing;

import java.util.Collection;
import java.util.Comparator;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Scenario 3 through JMH: how it runs.
 *
 * @param sessions     live sessions in the directory
 * @param forks        JMH forks; 0 runs in this JVM (only for the smoke run: JIT state is shared)
 * @param warmups      warm-up iterations
 * @param measurements measured iterations
 * @param iteration    length of one iteration
 */
public record RouteDecisionRun(int sessions, int forks, int warmups, int measurements, TimeValue iteration) {

    /** The decoded views' heap first (a heap difference, in this JVM), then the benchmarks. */
    public RouteDecisionResult run() throws RunnerException {
        System.out.println("bench: route decision, decoded views' heap with " + sessions + " live sessions");
        DecodedViewsFootprint footprint = DecodedViewsFootprint.measure(sessions);
        System.out.printf(Locale.ROOT, "bench: decoded views %.0f bytes per session%n", footprint.bytesPerSession());
        System.out.println("bench: route decision (JMH), " + sessions + " live sessions in the directory");
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
        return new RouteDecisionResult(this,
                results.stream().sorted(Comparator.comparing(r -> r.getParams().getBenchmark())).toList(), footprint);
    }

    public String settingsLine() {
        return forks + " fork" + (forks == 1 ? "" : "s") + ", " + warmups + " × " + iteration + " warm-up, "
                + measurements + " × " + iteration + " measurement, SampleTime mode";
    }
}
