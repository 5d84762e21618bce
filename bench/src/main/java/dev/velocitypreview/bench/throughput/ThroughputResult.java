package dev.velocitypreview.bench.throughput;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

import dev.velocitypreview.bench.report.Chart;
import dev.velocitypreview.bench.report.Samples;
import dev.velocitypreview.machines.fly.FlyMachinesSettings;

/** What scenario 6 measured: provisioning phases and API acceptance levels. */
public record ThroughputResult(List<Provisioning> provisioning, List<Acceptance> acceptance, Duration apiLatency,
                               Duration startLatency, Duration resumeLatency) {

    public static final String HEADING = "## 6. Throughput";
    /** How the scenario's first and last summary lines start, to find them in an existing report. */
    public static final String SUMMARY_START = "One provisioner against the simulated Fly API";
    public static final String SUMMARY_END = "Session API, ";

    /** Issue 11's target for the pool's row: this many times the sessions per second within Fly's limits. */
    public static final double POOL_TARGET_RATIO = 10;
    /** Sessions per second within Fly's limits without a pool when issue 11 set its target. */
    public static final double BEFORE_POOLS = 1.05;

    public static final String API_CHART = "api-sessions-per-second.png";
    public static final String PROVISIONING_CHART = "provisioning-sessions-per-second.png";

    /**
     * One provisioning phase.
     *
     * @param pool        the warm pool's ready machines when the phase started; 0 without a pool
     * @param wallSeconds first POST → last ACTIVE
     * @param toActive    each session's POST → ACTIVE in the bench's directory, milliseconds
     * @param calls       requests the simulated API received, by action
     * @param throttled   of those, answered 429 because a limit was exceeded
     * @param claims      claims the pooled machines' runtimes took
     */
    public record Provisioning(String limits, FlyMachinesSettings.RateLimits driverLimits, int pool, int sessions, long failed,
                               double wallSeconds, Samples toActive, Map<SimulatedFly.Action, Long> calls,
                               long throttled, long claims) {

        public double sessionsPerSecond() {
            return toActive.count() / wallSeconds;
        }

    }

    /** The phase within Fly's limits without a pool, if the run had one. */
    public Optional<Provisioning> flyLimited() {
        return provisioning.stream().filter(phase -> phase.pool() == 0 && phase.driverLimits().equals(
                FlyMachinesSettings.RateLimits.FLY)).findFirst();
    }

    /** The phase within Fly's limits with a warm pool, if the run had one. */
    public Optional<Provisioning> pooled() {
        return provisioning.stream().filter(phase -> phase.pool() > 0).findFirst();
    }

    /** Sessions per second with the pool over those within Fly's limits without one, in this run. */
    public Optional<Double> poolRatio() {
        return pooled().flatMap(pool -> flyLimited().map(limited ->
                pool.sessionsPerSecond() / limited.sessionsPerSecond()));
    }

    /** The summary's lines: each provisioning phase's, then each acceptance level's. */
    public List<String> summaryLines() {
        List<String> lines = new ArrayList<>();
        for (Provisioning phase : provisioning) {
            if (phase.pool() == 0) {
                lines.add(String.format(Locale.ROOT, SUMMARY_START + ", %s: %.2f sessions/s to ACTIVE (%d sessions, "
                        + "%d answered 429).", phase.limits(), phase.sessionsPerSecond(), phase.sessions(),
                        phase.throttled()));
            }
        }
        poolSummaryLine().ifPresent(lines::add);
        for (Acceptance level : acceptance) {
            lines.add(String.format(Locale.ROOT, SUMMARY_END + "%d concurrent clients: %.0f sessions/s accepted (%s "
                    + "median).", level.concurrency(), level.sessionsPerSecond(), level.latency().medianMillis()));
        }
        return lines;
    }

    /** The pool's line of the summary, if the run had a pool. */
    public Optional<String> poolSummaryLine() {
        return pooled().map(pool -> String.format(Locale.ROOT, SUMMARY_START + ", "
                        + "Fly's limits, a warm pool of %d suspended machines: %.2f sessions/s to ACTIVE (%d sessions, "
                        + "%d answered 429), %s the rate without a pool in this run; target ≥ %.0f× (≥ %.1f "
                        + "sessions/s against the %.2f before pools) %s.", pool.pool(), pool.sessionsPerSecond(),
                pool.sessions(), pool.throttled(), poolRatio().map(r -> String.format(Locale.ROOT, "%.1f×", r)).orElse("–"),
                POOL_TARGET_RATIO, POOL_TARGET_RATIO * BEFORE_POOLS, BEFORE_POOLS,
                meetsPoolTarget() ? "met" : "not met"));
    }

    /** The pool's rate is at least the target ratio times the rate without a pool, in this run and before pools. */
    public boolean meetsPoolTarget() {
        return pooled().map(pool -> pool.sessionsPerSecond() >= POOL_TARGET_RATIO * BEFORE_POOLS
                && poolRatio().orElse(0.0) >= POOL_TARGET_RATIO).orElse(false);
    }

    /** One level of API acceptance: {@code requests} posts by {@code concurrency} clients. */
    public record Acceptance(int concurrency, int requests, double wallSeconds, Samples latency) {

        public double sessionsPerSecond() {
            return requests / wallSeconds;
        }
    }

    public String section(Path charts, String chartLink) {
        Chart.bars(charts.resolve(API_CHART), "Sessions accepted (202) by the session API, by concurrency",
                "sessions per second", acceptance.stream().map(level -> "concurrency " + level.concurrency()).toList(),
                List.of(new Chart.Bars("accepted per second",
                        acceptance.stream().mapToDouble(Acceptance::sessionsPerSecond).toArray())));
        Chart.bars(charts.resolve(PROVISIONING_CHART), "Sessions brought to ACTIVE per second by one provisioner",
                "sessions per second", provisioning.stream().map(Provisioning::limits).toList(),
                List.of(new Chart.Bars("ACTIVE per second",
                        provisioning.stream().mapToDouble(Provisioning::sessionsPerSecond).toArray())));

        StringBuilder md = new StringBuilder(HEADING + "\n\n");
        md.append("### Sessions brought to ACTIVE by one provisioner (simulated Fly API)\n\n")
                .append("What is measured: sessions requested all at once through the session API, each timed from "
                        + "its POST to ACTIVE in a session directory; throughput is sessions over the time from the "
                        + "first POST to the last ACTIVE. One provisioner with its defaults (16 workers, the CDC "
                        + "relay) and the machine-drivers Fly driver — its own client-side rate limiter, retries and "
                        + "health wait in the path — against the bench's `SimulatedFly`: the documented Machines API "
                        + "shapes (create, list by `metadata.*`, `/wait`, get, start, suspend, `metadata`, destroy, `{\"error\": …}`), ")
                .append(apiLatency.toMillis()).append(" ms per API answer, ").append(startLatency.toMillis())
                .append(" ms from created to started, ").append(resumeLatency.toMillis())
                .append(" ms from the start of a suspended machine to started, and the same rate limits enforced on "
                        + "the server side as Fly scopes them (per machine for the actions on one machine, per app for "
                        + "create and list; 429 with `Retry-After` when a client goes over them). Each machine's "
                        + "runtime health answers at once, and so does a pooled runtime's claim "
                        + "(`POST /__velocity/claim` with its claim token).\n\n")
                .append("| Limits (driver and server) | Sessions | Failed | Claimed from the pool | Sessions/s | "
                        + "POST → ACTIVE median | p99 | API calls by action | Answered 429 |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|---|---:|\n");
        for (Provisioning phase : provisioning) {
            FlyMachinesSettings.RateLimits l = phase.driverLimits();
            String calls = phase.calls().entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue())
                    .collect(Collectors.joining(", "));
            md.append(String.format(Locale.ROOT, "| %s (actions %.0f/s, burst %d; get %.0f/s, burst %d) | %d | %d | "
                            + "%d | %.2f | %s | %s | %s | %d |%n", phase.limits(), l.actionsPerSecond(), l.actionBurst(),
                    l.getsPerSecond(), l.getBurst(), phase.sessions(), phase.failed(), phase.claims(),
                    phase.sessionsPerSecond(),
                    phase.toActive().medianMillis(), phase.toActive().p99Millis(), calls, phase.throttled()));
        }
        Optional<Provisioning> liftedPhase = provisioning.stream()
                .filter(phase -> phase.pool() == 0 && !phase.driverLimits().equals(FlyMachinesSettings.RateLimits.FLY))
                .findFirst();
        if (flyLimited().isPresent() && liftedPhase.isPresent()) {
            Provisioning limited = flyLimited().get();
            Provisioning lifted = liftedPhase.get();
            long lists = limited.calls().getOrDefault(SimulatedFly.Action.LIST, 0L);
            md.append(String.format(Locale.ROOT, "%nRatio, limits lifted / Fly's limits: %.1f× the sessions per "
                            + "second. Within Fly's limits the bound is the list action: the driver lists the "
                            + "session's machines before creating one (%d lists for %d sessions here), and lists share "
                            + "one bucket of 1 per second, so one provisioner, and one Fly app, bring about one "
                            + "session every %.1f s to ACTIVE after the burst.%n",
                    lifted.sessionsPerSecond() / limited.sessionsPerSecond(), lists, limited.sessions(),
                    limited.sessions() == 0 ? 0 : (double) lists / limited.sessions()));
        }
        pooled().ifPresent(pool -> md.append(String.format(Locale.ROOT, "%nWith a warm pool (the last row): the "
                        + "provisioner ran with `velocity.provisioner.pool.templates.react=%d`, and the pool was filled "
                        + "with the limits lifted before the row began (%d suspended machines, made with "
                        + "`createPooled` and parked with `awaitWarm`); then the limits were Fly's again, for the "
                        + "driver and the server, and %d sessions of new react projects were requested at once, by "
                        + "free-tier users (the pool's machine size). Each claims a suspended machine in the CREATE's "
                        + "transaction, and the driver tags it with the session (`POST /{id}/metadata/session_id`), "
                        + "starts it, waits for `started` and sends its runtime the claim: no list and no create "
                        + "before ACTIVE, and the actions Fly limits per machine are each on a machine of their own. "
                        + "Meanwhile the pool refills in the background within the same limits, as it always does "
                        + "(its creates, lists and waits are in the row's calls). Ratio, pool / Fly's limits without "
                        + "one: %s the sessions per second; target (issue 11) ≥ %.0f× the %.2f sessions/s measured "
                        + "before pools: %s.%n", pool.pool(), pool.pool(), pool.sessions(),
                poolRatio().map(r -> String.format(Locale.ROOT, "%.1f×", r)).orElse("–"), POOL_TARGET_RATIO,
                BEFORE_POOLS, meetsPoolTarget() ? "met" : "not met")));
        md.append("\n![provisioning throughput](").append(chartLink).append(PROVISIONING_CHART).append(")\n\n");

        md.append("### Sessions accepted by the API\n\n")
                .append("What is measured: `POST /v1/sessions` → 202 (validated, quota checked, the CREATE "
                        + "acknowledged by Kafka with `acks=all`) by concurrent clients, each post by a user of its "
                        + "own; throughput is posts over the level's wall time. The provisioner is stopped first so "
                        + "the API does not compete with provisioning for the two cores; the session API, its "
                        + "directory and the broker run in this JVM. One unmeasured warm-up level first.\n\n")
                .append("| Concurrency | Posts | Sessions/s | Latency median | p99 |\n|---:|---:|---:|---:|---:|\n");
        for (Acceptance level : acceptance) {
            md.append(String.format(Locale.ROOT, "| %d | %d | %.0f | %s | %s |%n", level.concurrency(),
                    level.requests(), level.sessionsPerSecond(), level.latency().medianMillis(),
                    level.latency().p99Millis()));
        }
        md.append("\n![API throughput](").append(chartLink).append(API_CHART).append(")\n\n");
        return md.toString();
    }
}
