package dev.velocitypreview.bench.changelog;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;

import dev.velocitypreview.bench.report.Chart;
import dev.velocitypreview.bench.report.Samples;

/** Commit → visible, one write at a time and in a burst. */
public record ChangelogLagResult(Samples sequential, Samples burst, int writesPerSession) {

    public static final String CHART = "changelog-lag-distribution.png";

    public String section(Path charts, String chartLink) {
        Chart.distribution(charts.resolve(CHART), "Commit of a session row → visible in a session directory",
                "milliseconds after the commit", List.of(
                        new Chart.Line("one write at a time", sequential, false),
                        new Chart.Line("burst of 8 writers", burst, false)));
        StringBuilder md = new StringBuilder();
        md.append("## 2. Changelog lag\n\n")
                .append("What is measured: from the commit of a `preview_sessions` row (the moment the committing "
                        + "statement returned) to the moment a `SessionDirectory` — the store the router and the "
                        + "session API answer from — holds that version, through the real CDC relay (Debezium "
                        + "embedded, pgoutput, the relay's defaults: `poll.interval.ms` 10, producer `linger.ms` 0) "
                        + "and a Kafka broker, with `synchronous_commit=on`. The rig has its own database (created by "
                        + "the provisioner's migrations), broker, relay and directory; the bench writes each session "
                        + "the way the provisioner does (insert at version 1, two updates), so the commit time is "
                        + "exact. The directory's waiter is registered before each write and stamps the time on the "
                        + "thread that applies the change. After ten sessions of warm-up: first one write at a time "
                        + "(each waits for the previous to be visible), then a burst of eight writers that do not "
                        + "wait.\n\n")
                .append("| Load | Commits measured | Median | p99 | Max |\n|---|---:|---:|---:|---:|\n")
                .append(row("one write at a time", sequential))
                .append(row("burst, 8 writers", burst));
        if (!sequential.isEmpty() && !burst.isEmpty()) {
            md.append(String.format(Locale.ROOT, "%nRatio of medians, burst / one at a time: %.1f×. For scale: the "
                    + "old way's first retry alone waited 200 ms, and Debezium's default poll interval would add "
                    + "about 500 ms to every change.%n", burst.median() / sequential.median()));
        }
        md.append("\n![changelog lag](").append(chartLink).append(CHART).append(")\n\n");
        return md.toString();
    }

    private static String row(String load, Samples samples) {
        return String.format(Locale.ROOT, "| %s | %d | %s | %s | %s |%n", load, samples.count(), samples.medianMillis(),
                samples.p99Millis(), samples.isEmpty() ? "–" : Samples.millis(samples.max()));
    }
}
