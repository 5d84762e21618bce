package dev.velocitypreview.bench.routing;

import java.util.Collection;
import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

import static org.assertj.core.api.Assertions.assertThat;

/** CI's check that the route-decision benchmark runs end to end; it asserts no timings. */
class BenchSmokeTest {

    @Test
    void routeDecisionBenchmarkRunsAndReportsALatencyForEveryScenario() throws RunnerException {
        Collection<RunResult> results = new Runner(new OptionsBuilder()
                .include(RouteDecisionBenchmark.class.getName())
                // A small store keeps the fill (the slow part) to a second; BenchSuite measures the 100 k.
                .param("sessions", "1000")
                .forks(0)
                .warmupIterations(1)
                .warmupTime(TimeValue.milliseconds(100))
                .measurementIterations(1)
                .measurementTime(TimeValue.milliseconds(100))
                .timeUnit(TimeUnit.NANOSECONDS)
                .shouldFailOnError(true)
                .verbosity(VerboseMode.SILENT)
                .build()).run();

        assertThat(results).hasSize(2).allSatisfy(result -> {
            assertThat(result.getPrimaryResult().getScore()).isPositive();
            assertThat(result.getPrimaryResult().getSampleCount()).isPositive();
        });
    }
}
