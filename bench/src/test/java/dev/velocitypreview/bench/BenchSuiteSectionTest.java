package dev.velocitypreview.bench;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A scenario run alone replaces its own section and summary line of an existing report, and nothing else. */
class BenchSuiteSectionTest {

    private static final String REPORT = "# Benchmarks\n\n## Summary: ratios and medians of this run\n\n"
            + "- One line.\n- Old figure: 1 MiB.\n\n## 7. Seven\n\nseven\n\n## 8. Eight\n\nold eight\n\n## 9. Nine\n\nnine\n";

    @Test
    void aSectionAndItsSummaryLineAreReplacedInPlace() {
        String replaced = BenchSuite.withSection(REPORT, "## 8. Eight", "## 8. Eight\n\nnew eight\n\n", "- Old figure",
                "Old figure: 2 MiB.");

        assertThat(replaced).isEqualTo("# Benchmarks\n\n## Summary: ratios and medians of this run\n\n"
                + "- One line.\n- Old figure: 2 MiB.\n\n## 7. Seven\n\nseven\n\n## 8. Eight\n\nnew eight\n\n## 9. Nine\n\nnine\n");
    }

    @Test
    void aSectionNotInTheReportYetIsAddedAtTheEndAndToTheSummary() {
        String replaced = BenchSuite.withSection(REPORT, "## 10. Ten", "## 10. Ten\n\nten\n\n", "- Ten:", "Ten: 10.");

        assertThat(replaced).startsWith("# Benchmarks\n\n## Summary: ratios and medians of this run\n\n"
                + "- One line.\n- Old figure: 1 MiB.\n- Ten: 10.\n\n").endsWith("## 9. Nine\n\nnine\n\n## 10. Ten\n\nten\n\n");
    }
}
