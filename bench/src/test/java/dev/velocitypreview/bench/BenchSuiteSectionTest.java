package dev.velocitypreview.bench;

import java.util.List;

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
    void aScenariosBlockOfSummaryLinesIsReplacedWhole() {
        String report = "## Summary: ratios and medians of this run\n\n- One line.\n- Six: a.\n- Six: b.\n"
                + "- Six ends: c.\n- Seven.\n\n## 6. Six\n";

        String replaced = BenchSuite.withSummaryLines(report, "- Six", "- Six ends", List.of("Six: x.", "Six: y.",
                "Six: z.", "Six ends: w."));

        assertThat(replaced).isEqualTo("## Summary: ratios and medians of this run\n\n- One line.\n- Six: x.\n"
                + "- Six: y.\n- Six: z.\n- Six ends: w.\n- Seven.\n\n## 6. Six\n");
    }

    @Test
    void aSectionNotInTheReportYetIsAddedAtTheEndAndToTheSummary() {
        String replaced = BenchSuite.withSection(REPORT, "## 10. Ten", "## 10. Ten\n\nten\n\n", "- Ten:", "Ten: 10.");

        assertThat(replaced).startsWith("# Benchmarks\n\n## Summary: ratios and medians of this run\n\n"
                + "- One line.\n- Old figure: 1 MiB.\n- Ten: 10.\n\n").endsWith("## 9. Nine\n\nnine\n\n## 10. Ten\n\nten\n\n");
    }
}
