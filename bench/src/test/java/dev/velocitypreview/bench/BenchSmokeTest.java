package dev.velocitypreview.bench;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

import javax.imageio.ImageIO;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import dev.velocitypreview.bench.firstbyte.FirstByteResult;
import dev.velocitypreview.bench.proxy.Tools;
import dev.velocitypreview.bench.warmstart.WarmStartResult;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;

/**
 * CI's check that every scenario of the suite runs end to end and lands in the report: a smoke run with small
 * counts on the real platform. It asserts what each scenario produced, never how fast.
 */
class BenchSmokeTest {

    @TempDir
    Path docs;

    @Test
    void everyScenarioRunsAndLandsInTheReportWithItsCharts() throws Exception {
        System.setProperty("java.awt.headless", "true");
        BenchSuite.Results results = BenchSuite.run(BenchPlan.SMOKE, docs.resolve("benchmarks.md"));

        // 3: every lookup measured on the directory, and the decoded views' heap
        assertThat(results.routeDecision().runs()).hasSize(4)
                .allSatisfy(run -> assertThat(run.getPrimaryResult().getSampleCount()).isPositive());
        assertThat(results.routeDecision().footprint().indexBytes()).isPositive();
        // 1 and 5: every session served by our router, the old way answered each one way or the other
        assertThat(results.firstByte().levels()).extracting(FirstByteResult.Level::concurrency).containsExactly(1, 2);
        for (FirstByteResult.Level level : results.firstByte().levels()) {
            assertThat(level.answered(200)).as("our 200s at concurrency %d", level.concurrency())
                    .isEqualTo(level.sessions());
            assertThat(level.oldWayAnswered(200) + level.oldWayAnswered(404)).isEqualTo(level.sessions());
            assertThat(level.provisioning().count()).isEqualTo(level.sessions());
        }
        // 2: every commit became visible
        assertThat(results.changelog().sequential().count()).isEqualTo(5 * 3);
        assertThat(results.changelog().burst().count()).isEqualTo(8 * 3);
        // 4: measured where wrk exists (each target served the file before wrk ran), otherwise the report says why
        // not; how many requests a one-second run gets through is the machine's load, not something to assert
        if (Tools.find("wrk").isPresent()) {
            assertThat(results.proxy().measured()).isTrue();
            assertThat(results.proxy().measurements()).isNotEmpty()
                    .allSatisfy(m -> assertThat(m.runs()).hasSize(BenchPlan.SMOKE.proxy().runs()));
        } else {
            assertThat(results.proxy().unavailable()).contains("wrk");
        }
        // 6: every session reached ACTIVE in every phase, the pool's on its suspended machines; the API
        // accepted every post
        assertThat(results.throughput().provisioning()).hasSize(3).allSatisfy(phase -> {
            assertThat(phase.failed()).isZero();
            assertThat(phase.toActive().count()).isEqualTo(phase.sessions());
        });
        assertThat(results.throughput().pooled()).hasValueSatisfying(pool -> {
            assertThat(pool.pool()).isEqualTo(BenchPlan.SMOKE.throughput().pooledSessions());
            assertThat(pool.claims()).as("sessions on pooled machines").isEqualTo(pool.sessions());
        });
        assertThat(results.throughput().acceptance()).hasSize(2)
                .allSatisfy(level -> assertThat(level.latency().count()).isEqualTo(level.requests()));
        // 7: every variant saw every other session finish and committed every record
        assertThat(results.slowSession().measurements()).hasSize(2).allSatisfy(m -> {
            assertThat(m.others().count()).isEqualTo(BenchPlan.SMOKE.slowSession().sessions() - 1);
            assertThat(m.committed()).isEqualTo(BenchPlan.SMOKE.slowSession().sessions());
        });

        // 8: the directory held the live sessions, and nothing of the retained-out ones afterwards
        assertThat(results.retention().live().index().sessions()).isEqualTo(BenchPlan.SMOKE.retention().live());
        assertThat(results.retention().inRetention().index().sessions())
                .isEqualTo(BenchPlan.SMOKE.retention().live() + BenchPlan.SMOKE.retention().batch());
        assertThat(results.retention().after().index()).isEqualTo(results.retention().live().index());
        assertThat(results.retention().after().rows()).isEqualTo(BenchPlan.SMOKE.retention().live());
        assertThat(results.retention().after().creates()).isEqualTo(BenchPlan.SMOKE.retention().live());

        // 9: every suspended preview answered the request that woke it, as it did while active
        assertThat(results.wake().traces()).hasSize(BenchPlan.SMOKE.wake().sessions()).allSatisfy(trace -> {
            assertThat(trace.activeStatus()).isEqualTo(200);
            assertThat(trace.wokenStatus()).isEqualTo(200);
        });
        // 10: both first bytes measured; every write reached the machine, was answered applied and shown in the page
        assertThat(results.liveEdit().coldFirstByteMs()).isPositive();
        assertThat(results.liveEdit().prepared().count()).isEqualTo(BenchPlan.SMOKE.liveEdit().preparedSessions());
        assertThat(results.liveEdit().edits()).hasSize(BenchPlan.SMOKE.liveEdit().writes())
                .allSatisfy(edit -> assertThat(edit.applied()).isTrue());
        assertThat(results.liveEdit().toShown().count()).isEqualTo(BenchPlan.SMOKE.liveEdit().writes());

        // 11: every start listened before it was ready and told its memory; the dev server's tree holds the runtime
        assertThat(results.footprint().variants()).isNotEmpty().allSatisfy(variant ->
                assertThat(variant.starts()).hasSize(BenchPlan.SMOKE.footprint().starts()).allSatisfy(start -> {
                    assertThat(start.listeningMs()).isPositive().isLessThanOrEqualTo(start.readyMs());
                    assertThat(start.residentKib()).isPresent();
                }));
        assertThat(results.footprint().devServer().treeKib().getAsLong())
                .isGreaterThan(results.footprint().devServer().runtimeKib().getAsLong());

        // 12: every session of every row answered with its project's page; the pool's rows on the pool's machines,
        // the fresh rows on machines of their own
        assertThat(results.warmStart().levels()).extracting(WarmStartResult.Level::pooled, WarmStartResult.Level::concurrency)
                .containsExactly(tuple(false, 1), tuple(false, 2), tuple(true, 1), tuple(true, 2));
        assertThat(results.warmStart().levels()).allSatisfy(level -> {
            assertThat(level.showedProject()).as("pages naming their project, %s", level).isEqualTo(level.sessions());
            assertThat(level.fromPool()).as("sessions on pooled machines, %s", level)
                    .isEqualTo(level.pooled() ? level.sessions() : 0);
        });

        String report = Files.readString(results.report());
        assertThat(report).contains("## 1. Session to first byte", "## 2. Changelog lag", "## 3. Route decision",
                "## 4. Proxy overhead", "## 5. The old way as a baseline", "## 6. Throughput",
                "## 7. One slow session", "## 8. Session directory memory under retention", "## 9. Wake to first byte", "## 11. Runtime footprint", "## 12. Warm start",
                "## Summary: ratios and medians of this run");
        try (Stream<Path> charts = Files.list(results.charts())) {
            assertThat(charts.filter(chart -> chart.toString().endsWith(".png")).toList())
                    .hasSizeGreaterThanOrEqualTo(5)
                    .allSatisfy(chart -> {
                        assertThat(report).contains("benchmarks/" + chart.getFileName());
                        assertThat(readable(chart).getWidth()).isPositive();
                    });
        }
    }

    private static BufferedImage readable(Path png) {
        try {
            BufferedImage image = ImageIO.read(png.toFile());
            assertThat(image).as("%s decodes as an image", png).isNotNull();
            return image;
        } catch (IOException e) {
            throw new AssertionError("cannot read " + png, e);
        }
    }
}
