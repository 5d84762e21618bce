package dev.velocitypreview.bench;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.junit.jupiter.api.Test;

import dev.velocitypreview.bench.wake.WakeResult;
import dev.velocitypreview.bench.wake.WakeScenario;

import static org.assertj.core.api.Assertions.assertThat;

/** Scenario 9's section and summary line: its figures, its target, and its place in an existing report. */
class WakeSectionTest {

    private static final String REPORT = "# Benchmarks\n\n## Summary: ratios and medians of this run\n\n"
            + "- One line.\n- Wake to first byte of a suspended preview: old.\n\n## 8. Eight\n\neight\n\n"
            + "## 9. Wake to first byte\n\nold nine\n";

    @Test
    void theSummaryGivesTheWakesPercentilesBesideTheActiveMedianAndSaysWhetherTheTargetIsMet() {
        WakeResult fast = result(100, 120, 140, 500);
        WakeResult slow = result(290, 320, 330, 340);

        assertThat(fast.summaryLine()).contains("(4 sessions, 4 woken with a 200)", "120 ms p50", "500 ms p90",
                "500 ms max", "while ACTIVE 20.0 ms p50 (6×)", "target p50 ≤ 300 ms met.");
        assertThat(slow.summaryLine()).contains("320 ms p50", "target p50 ≤ 300 ms not met.");
    }

    @Test
    void aWakeAnsweredOtherwiseThan200IsCountedButNotTimed() {
        WakeResult result = new WakeResult(new WakeScenario.Settings(2), List.of(trace(200, 100), trace(504, 9_000)),
                Duration.ofSeconds(1));

        assertThat(result.wake().count()).isEqualTo(1);
        assertThat(result.summaryLine()).contains("(2 sessions, 1 woken with a 200)", "100 ms max");
        assertThat(result.section()).contains("| preview SUSPENDED, woken by the request | 1 of 2 |");
    }

    @Test
    void runAloneItReplacesItsOwnSectionAndSummaryLine() {
        WakeResult result = result(100, 120, 140, 500);

        String replaced = BenchSuite.withSection(REPORT, WakeResult.HEADING, result.section(),
                "- " + WakeResult.SUMMARY_START, result.summaryLine());

        assertThat(replaced).startsWith("# Benchmarks\n\n## Summary: ratios and medians of this run\n\n- One line.\n- "
                + result.summaryLine() + "\n\n## 8. Eight\n\neight\n\n" + result.section());
        assertThat(replaced).doesNotContain("old nine", "preview: old.");
    }

    /** Sessions answering 200 after 20 ms while active, and 200 after the given times when woken. */
    private static WakeResult result(double... wokenMs) {
        List<WakeResult.Trace> traces = Arrays.stream(wokenMs).mapToObj(ms -> trace(200, ms)).toList();
        return new WakeResult(new WakeScenario.Settings(traces.size()), traces, Duration.ofSeconds(10));
    }

    private static WakeResult.Trace trace(int wokenStatus, double wokenMs) {
        return new WakeResult.Trace(UUID.randomUUID(), 200, 20, wokenStatus, wokenMs);
    }
}
