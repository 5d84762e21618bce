package dev.velocitypreview.bench.warmstart;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToDoubleFunction;

import dev.velocitypreview.bench.report.Samples;

/** What scenario 12 measured, row by row (fresh machines, then the warm pool, a row per concurrency). */
public record WarmStartResult(WarmStartScenario.Settings settings, List<Level> levels, Duration took) {

    public static final String HEADING = "## 12. Warm start";
    /** How the scenario's summary line starts, to find it in an existing report. */
    public static final String SUMMARY_START = "Warm start";
    /** Issue 11's targets for the pool at concurrency 1, and for its median at the largest concurrency. */
    public static final double TARGET_P50_MS = 100;
    public static final double TARGET_P99_MS = 300;
    public static final double TARGET_CONCURRENT_RATIO = 3;

    /** One row: the sessions of one concurrency, on fresh machines or on the pool's. */
    public record Level(boolean pooled, int concurrency, List<WarmStartScenario.Trace> traces) {

        public int sessions() {
            return traces.size();
        }

        /** Sessions whose first answer was a 200 whose page named their project. */
        public long showedProject() {
            return traces.stream().filter(trace -> trace.status() == 200 && trace.showsProject()).count();
        }

        /** Sessions whose machine was a ready machine of the pool. */
        public long fromPool() {
            return traces.stream().filter(WarmStartScenario.Trace::fromPool).count();
        }

        /** POST → first byte of the sessions answered 200. */
        public Samples firstByte() {
            return answered(WarmStartScenario.Trace::firstByteMs);
        }

        public Samples accept() {
            return answered(WarmStartScenario.Trace::acceptMs);
        }

        public Samples queue() {
            return answered(trace -> trace.times().queueMs());
        }

        public Samples provisioning() {
            return answered(trace -> trace.times().provisionMs());
        }

        public Samples delivery() {
            return answered(trace -> trace.times().deliverMs());
        }

        private Samples answered(ToDoubleFunction<WarmStartScenario.Trace> value) {
            List<Double> values = new ArrayList<>();
            for (WarmStartScenario.Trace trace : traces) {
                double v = value.applyAsDouble(trace);
                if (trace.status() == 200 && !Double.isNaN(v)) {
                    values.add(v);
                }
            }
            return Samples.of(values);
        }

        String machines() {
            return pooled ? "warm pool" : "fresh machine";
        }
    }

    public Optional<Level> level(boolean pooled, int concurrency) {
        return levels.stream().filter(level -> level.pooled() == pooled && level.concurrency() == concurrency).findFirst();
    }

    /** The pool's median over fresh machines' at {@code concurrency}. */
    public Optional<Double> poolOverFresh(int concurrency) {
        return level(true, concurrency).flatMap(pool -> level(false, concurrency)
                .filter(fresh -> !fresh.firstByte().isEmpty() && !pool.firstByte().isEmpty())
                .map(fresh -> pool.firstByte().median() / fresh.firstByte().median()));
    }

    /** The pool's median at the largest concurrency over its median at concurrency 1. */
    public Optional<Double> concurrentOverSingle() {
        int largest = largestConcurrency();
        return level(true, 1).flatMap(single -> level(true, largest)
                .filter(many -> largest > 1 && !many.firstByte().isEmpty() && !single.firstByte().isEmpty())
                .map(many -> many.firstByte().median() / single.firstByte().median()));
    }

    public boolean meetsSingleTarget() {
        return level(true, 1).map(Level::firstByte).filter(samples -> !samples.isEmpty())
                .map(samples -> samples.median() <= TARGET_P50_MS && samples.p99() <= TARGET_P99_MS).orElse(false);
    }

    public boolean meetsConcurrentTarget() {
        return concurrentOverSingle().map(ratio -> ratio <= TARGET_CONCURRENT_RATIO).orElse(false);
    }

    private int largestConcurrency() {
        return settings.concurrencies().stream().mapToInt(Integer::intValue).max().orElse(1);
    }

    public String summaryLine() {
        int largest = largestConcurrency();
        StringBuilder line = new StringBuilder(SUMMARY_START + " of a react preview, POST → first byte:");
        for (int concurrency : settings.concurrencies()) {
            Optional<Level> pool = level(true, concurrency);
            Optional<Level> fresh = level(false, concurrency);
            line.append(String.format(Locale.ROOT, " concurrency %d, warm pool %s p50 / %s p99, fresh machine %s / %s (%s);",
                    concurrency, pool.map(l -> l.firstByte().medianMillis()).orElse("–"),
                    pool.map(l -> l.firstByte().p99Millis()).orElse("–"),
                    fresh.map(l -> l.firstByte().medianMillis()).orElse("–"),
                    fresh.map(l -> l.firstByte().p99Millis()).orElse("–"),
                    poolOverFresh(concurrency).map(r -> String.format(Locale.ROOT, "%.2f×", r)).orElse("–")));
        }
        line.append(String.format(Locale.ROOT, " targets (pool p50 ≤ %.0f ms, p99 ≤ %.0f ms at concurrency 1: %s; "
                        + "pool p50 at %d ≤ %.0f× its p50 at 1: %s, %s).", TARGET_P50_MS, TARGET_P99_MS,
                meetsSingleTarget() ? "met" : "not met", largest, TARGET_CONCURRENT_RATIO,
                meetsConcurrentTarget() ? "met" : "not met",
                concurrentOverSingle().map(r -> String.format(Locale.ROOT, "%.1f×", r)).orElse("–")));
        return line.toString();
    }

    public String section() {
        StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n")
                .append(String.format(Locale.ROOT, "What is measured: POST `/v1/sessions` → the first byte of a "
                        + "`react` preview (Vite), without a pool and with one, on the embedded platform of scenario 1 "
                        + "(local machine driver, real runtime and dev server) started with a warm pool of the react "
                        + "template: `velocity.provisioner.pool.templates.react=%d`, at the pool's machine size "
                        + "(`shared-cpu-1x:256MB`, the free tier's). The pool's rows are sessions of free-tier users, "
                        + "which claim a pooled machine: runtime up, dependencies in place, Vite started on the "
                        + "template's files and compiled; the claim writes the project's files that differ from the "
                        + "template's and is answered once they are written and served (the dev server checks "
                        + "them afterwards, its verdict the first sync's result). The fresh rows are sessions of team-tier "
                        + "users, whose machine size no pool keeps: each gets a machine created for it (a runtime "
                        + "started, the project written, Vite started), the dependencies coming from the platform's "
                        + "store, which the pool's first warm-up filled (so no row pays an install). Both kinds on the "
                        + "same platform in the same run. Every session is of a new project of the template's own "
                        + "files with its `index.html` title and its main component's heading naming the project, so "
                        + "it fits the pool (same `package.json` and lockfile); an answer counts only when it is a "
                        + "200 whose page names the project. Each client posts and requests the host-style preview the "
                        + "moment the 202 arrives (the router holds the request until the session is ACTIVE); "
                        + "`concurrency` clients start together, a round; a row is rounds until it has %d sessions "
                        + "at least, each round's sessions ended before the next. Before every round of the pool's "
                        + "rows the bench waits until the pool is full again (its ready places in `machine_pool`), so "
                        + "that every session finds a ready machine and no refill competes with the round for the two "
                        + "cores: on Fly a pool's refill runs on other machines, here it starts JVMs and dev servers on "
                        + "the cores the round runs on. One unmeasured session of each kind first. Times from sending "
                        + "the POST to receiving the page (%.0f s in all).%n%n", settings.pool(), settings.sessions(),
                        took.toMillis() / 1000.0))
                .append("| Machine | Concurrency | Sessions | 200 naming the project | From the pool | p50 | p99 | "
                        + "Pool / fresh, p50 |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Level level : levels) {
            Samples firstByte = level.firstByte();
            md.append(String.format(Locale.ROOT, "| %s | %d | %d | %d | %d | %s | %s | %s |%n", level.machines(),
                    level.concurrency(), level.sessions(), level.showedProject(), level.fromPool(),
                    firstByte.medianMillis(), firstByte.p99Millis(), level.pooled()
                            ? poolOverFresh(level.concurrency()).map(r -> String.format(Locale.ROOT, "%.2f×", r)).orElse("–")
                            : ""));
        }
        md.append("\nWhere the time goes (medians per session, from the row's own timestamps and the client's clock):\n\n")
                .append("| Machine | Concurrency | POST → 202 | Kafka hop, worker, row insert (requested_at → "
                        + "created_at) | Machine ready: claimed and files applied, or created and started (created_at → "
                        + "ready_at) | ACTIVE row → changelog → router → proxied page (ready_at → first byte) |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (Level level : levels) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s |%n", level.machines(),
                    level.concurrency(), level.accept().medianMillis(), level.queue().medianMillis(),
                    level.provisioning().medianMillis(), level.delivery().medianMillis()));
        }
        md.append(String.format(Locale.ROOT, "%nTargets (issue 11): with the pool at concurrency 1, p50 ≤ %.0f ms and "
                        + "p99 ≤ %.0f ms: %s; with the pool at concurrency %d, p50 ≤ %.0f× its p50 at concurrency 1: "
                        + "%s (%s).%n%n", TARGET_P50_MS, TARGET_P99_MS, meetsSingleTarget() ? "met" : "not met",
                largestConcurrency(), TARGET_CONCURRENT_RATIO, meetsConcurrentTarget() ? "met" : "not met",
                concurrentOverSingle().map(r -> String.format(Locale.ROOT, "%.1f×", r)).orElse("–")));
        return md.toString();
    }
}
