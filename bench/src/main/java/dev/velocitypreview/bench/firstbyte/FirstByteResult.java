package dev.velocitypreview.bench.firstbyte;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Predicate;
import java.util.function.ToDoubleFunction;

import dev.velocitypreview.bench.baseline.DatabasePollingRouter;
import dev.velocitypreview.bench.report.Chart;
import dev.velocitypreview.bench.report.Samples;

/** What scenarios 1 and 5 measured, level by level, and how the report shows it. */
public record FirstByteResult(List<Level> levels, long oldWayLookups) {

    public static final String DISTRIBUTION_CHART = "first-byte-distribution.png";
    public static final String THROUGHPUT_CHART = "first-byte-throughput.png";

    /** One concurrency level: its sessions and how long the level took from first post to last answer. */
    public record Level(int concurrency, double wallSeconds, List<FirstByteScenario.Trace> traces) {

        public int sessions() {
            return traces.size();
        }

        public long answered(int status) {
            return traces.stream().filter(trace -> trace.status() == status).count();
        }

        public long oldWayAnswered(int status) {
            return traces.stream().filter(trace -> trace.oldStatus() == status).count();
        }

        public double sessionsPerSecond() {
            return sessions() / wallSeconds;
        }

        /** POST → first 200 through our router, of the sessions that got one. */
        public Samples firstByte() {
            return samples(trace -> trace.status() == 200, FirstByteScenario.Trace::firstByteMs);
        }

        /** POST → the old way's answer, whatever it was. */
        public Samples oldWayAnswer() {
            return samples(trace -> true, FirstByteScenario.Trace::oldAnswerMs);
        }

        public Samples oldWayFound() {
            return samples(trace -> trace.oldStatus() == 200, FirstByteScenario.Trace::oldAnswerMs);
        }

        public Samples accept() {
            return samples(trace -> true, FirstByteScenario.Trace::acceptMs);
        }

        public Samples queue() {
            return samples(trace -> true, FirstByteScenario.Trace::queueMs);
        }

        public Samples provisioning() {
            return samples(trace -> true, FirstByteScenario.Trace::provisionMs);
        }

        public Samples delivery() {
            return samples(trace -> true, FirstByteScenario.Trace::deliverMs);
        }

        /** Everything but the machine starting: first byte minus provisioning, per session. */
        public Samples platformOverhead() {
            return samples(trace -> trace.status() == 200, trace -> trace.firstByteMs() - trace.provisionMs());
        }

        private Samples samples(Predicate<FirstByteScenario.Trace> which, ToDoubleFunction<FirstByteScenario.Trace> value) {
            List<Double> values = new ArrayList<>();
            for (FirstByteScenario.Trace trace : traces) {
                double v = value.applyAsDouble(trace);
                if (which.test(trace) && !Double.isNaN(v)) {
                    values.add(v);
                }
            }
            return Samples.of(values);
        }
    }

    public int sessions() {
        return levels.stream().mapToInt(Level::sessions).sum();
    }

    /** Section 1 of the report; draws its charts into {@code charts}. */
    public String firstByteSection(Path charts, String chartLink) {
        List<Chart.Line> lines = new ArrayList<>();
        for (Level level : levels) {
            lines.add(new Chart.Line("ours, concurrency " + level.concurrency(), level.firstByte(), false));
        }
        for (Level level : levels) {
            lines.add(new Chart.Line("old way, concurrency " + level.concurrency(), level.oldWayAnswer(), true));
        }
        Chart.distribution(charts.resolve(DISTRIBUTION_CHART), "POST /v1/sessions → answer from the preview url",
                "milliseconds after the POST was sent", lines);
        Chart.bars(charts.resolve(THROUGHPUT_CHART), "Sessions from POST to first 200, by concurrency",
                "sessions per second", levels.stream().map(level -> "concurrency " + level.concurrency()).toList(),
                List.of(new Chart.Bars("sessions/s to first 200",
                        levels.stream().mapToDouble(Level::sessionsPerSecond).toArray())));

        StringBuilder md = new StringBuilder();
        md.append("## 1. Session to first byte\n\n")
                .append("What is measured: a client sends `POST /v1/sessions` (a new static project each time, team "
                        + "tier, one user per client) and requests the `previewUrl` the moment the 202 arrives; the "
                        + "time is from sending the POST to the router's complete answer. Each client runs its "
                        + "sessions one after another and deletes each after its answer; `concurrency` clients run "
                        + "side by side. The embedded platform of the launcher (`EmbeddedPlatform`: provisioner with "
                        + "the CDC relay and the local machine driver, router in proxy mode, session API) on an "
                        + "embedded PostgreSQL and a Kafka broker in this JVM; every preview machine is its own JVM "
                        + "running preview-runtime, so starting many at once competes for the same two cores.\n\n")
                .append("| Concurrency | Sessions | Answered 200 | Median | p99 | Sessions/s (whole level) |\n")
                .append("|---:|---:|---:|---:|---:|---:|\n");
        for (Level level : levels) {
            Samples firstByte = level.firstByte();
            md.append(String.format(Locale.ROOT, "| %d | %d | %d | %s | %s | %.2f |%n", level.concurrency(),
                    level.sessions(), level.answered(200), firstByte.medianMillis(), firstByte.p99Millis(),
                    level.sessionsPerSecond()));
        }
        md.append("\nWhere the time goes (medians per session; from the row's own timestamps, which the session "
                        + "API returns, and the client's clock, all on this one machine):\n\n")
                .append("| Concurrency | POST → 202 | Kafka hop, wait for a free provisioner worker, row insert "
                        + "(requested_at → created_at) | Provisioning: machine created, runtime healthy (created_at → ready_at) | "
                        + "ACTIVE row → changelog → router wake-up → proxied answer (ready_at → first 200) | Platform "
                        + "overhead (first 200 − provisioning), median / p99 | Overhead share of the median |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Level level : levels) {
            Samples overhead = level.platformOverhead();
            Samples firstByte = level.firstByte();
            String share = overhead.isEmpty() || firstByte.isEmpty() ? "–"
                    : String.format(Locale.ROOT, "%.0f %%", 100 * overhead.median() / firstByte.median());
            md.append(String.format(Locale.ROOT, "| %d | %s | %s | %s | %s | %s / %s | %s |%n", level.concurrency(),
                    level.accept().medianMillis(), level.queue().medianMillis(), level.provisioning().medianMillis(),
                    level.delivery().medianMillis(), overhead.medianMillis(), overhead.p99Millis(), share));
        }
        md.append("\n![latency distributions](").append(chartLink).append(DISTRIBUTION_CHART).append(")\n")
                .append("![sessions per second by concurrency](").append(chartLink).append(THROUGHPUT_CHART)
                .append(")\n\n");
        return md.toString();
    }

    /** Section 5 of the report: the old way's router on the very same sessions. */
    public String oldWaySection() {
        StringBuilder md = new StringBuilder();
        md.append("## 5. The old way as a baseline\n\n")
                .append("What is measured: the system this platform replaces looked each request's session up in "
                        + "PostgreSQL (`… WHERE id = ? AND status = 'ACTIVE'`, after a connectivity check), retried a "
                        + "miss ")
                .append(DatabasePollingRouter.RETRY_WAITS.size() + 1).append(" times in all with waits of ")
                .append(String.join(", ", DatabasePollingRouter.RETRY_WAITS.stream()
                        .map(wait -> wait.toMillis() + " ms").toList()))
                .append(", then answered `404 {\"error\":\"Session not found\"}`. The bench's "
                        + "`DatabasePollingRouter` does exactly that (a pool of ten connections to the platform's "
                        + "database; found sessions are proxied to their machine). It runs on the workload of "
                        + "scenario 1 itself: for every session there, the same preview was requested from the old "
                        + "way's router at the same moment as from ours, so both columns describe the same sessions "
                        + "on the same machine at the same time. Time is from sending the POST to the answer.\n\n")
                .append("| Concurrency | Sessions | Old way: \"Session not found\" | Old way: answer median / p99 | "
                        + "Old way: median of its 200s | Ours: not found | Ours: first 200 median / p99 | "
                        + "Ratio of medians, ours / old way's answer |\n")
                .append("|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Level level : levels) {
            Samples old = level.oldWayAnswer();
            Samples ours = level.firstByte();
            long oldNotFound = level.oldWayAnswered(404);
            String ratio = old.isEmpty() || ours.isEmpty() ? "–"
                    : String.format(Locale.ROOT, "%.2f×", ours.median() / old.median());
            md.append(String.format(Locale.ROOT, "| %d | %d | %d (%.0f %%) | %s / %s | %s | %d | %s / %s | %s |%n",
                    level.concurrency(), level.sessions(), oldNotFound, 100.0 * oldNotFound / level.sessions(),
                    old.medianMillis(), old.p99Millis(), level.oldWayFound().medianMillis(), level.answered(404),
                    ours.medianMillis(), ours.p99Millis(), ratio));
        }
        md.append(String.format(Locale.ROOT, "%nThe old way made %d database lookups for %d requests (%.1f each, "
                + "connectivity checks not counted); ours made none. A \"Session not found\" came back in about three "
                + "seconds (the sum of the waits plus the queries), after which the original's user had nothing to "
                + "show; ours held each request until its machine was ready. Where the old way answers faster, it is "
                + "answering 404.%n%n", oldWayLookups, sessions(), (double) oldWayLookups / Math.max(1, sessions())));
        return md.toString();
    }
}
