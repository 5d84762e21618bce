package dev.velocitypreview.bench.throughput;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

import dev.velocitypreview.bench.report.Chart;
import dev.velocitypreview.bench.report.Samples;
import dev.velocitypreview.machines.fly.FlyMachinesSettings;

/** What scenario 6 measured: provisioning phases and API acceptance levels. */
public record ThroughputResult(List<Provisioning> provisioning, List<Acceptance> acceptance, Duration apiLatency,
                               Duration startLatency) {

    public static final String API_CHART = "api-sessions-per-second.png";
    public static final String PROVISIONING_CHART = "provisioning-sessions-per-second.png";

    /**
     * One provisioning phase.
     *
     * @param wallSeconds first POST → last ACTIVE
     * @param toActive    each session's POST → ACTIVE in the bench's directory, milliseconds
     * @param calls       requests the simulated API received, by action
     * @param throttled   of those, answered 429 because a limit was exceeded
     */
    public record Provisioning(String limits, FlyMachinesSettings.RateLimits driverLimits, int sessions, long failed,
                               double wallSeconds, Samples toActive, Map<SimulatedFly.Action, Long> calls,
                               long throttled) {

        public double sessionsPerSecond() {
            return toActive.count() / wallSeconds;
        }
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

        StringBuilder md = new StringBuilder("## 6. Throughput\n\n");
        md.append("### Sessions brought to ACTIVE by one provisioner (simulated Fly API)\n\n")
                .append("What is measured: sessions requested all at once through the session API, each timed from "
                        + "its POST to ACTIVE in a session directory; throughput is sessions over the time from the "
                        + "first POST to the last ACTIVE. One provisioner with its defaults (16 workers, the CDC "
                        + "relay) and the machine-drivers Fly driver — its own client-side rate limiter, retries and "
                        + "health wait in the path — against the bench's `SimulatedFly`: the documented Machines API "
                        + "shapes (create, list by `metadata.session_id`, `/wait`, get, destroy, `{\"error\": …}`), ")
                .append(apiLatency.toMillis()).append(" ms per API answer, ").append(startLatency.toMillis())
                .append(" ms from created to started, and the same rate limits enforced on the server side (429 with "
                        + "`Retry-After` when a client goes over them). Each machine's runtime health answers at "
                        + "once.\n\n")
                .append("| Limits (driver and server) | Sessions | Failed | Sessions/s | POST → ACTIVE median | p99 | "
                        + "API calls by action | Answered 429 |\n")
                .append("|---|---:|---:|---:|---:|---:|---|---:|\n");
        for (Provisioning phase : provisioning) {
            FlyMachinesSettings.RateLimits l = phase.driverLimits();
            String calls = phase.calls().entrySet().stream().filter(e -> e.getValue() > 0)
                    .map(e -> e.getKey().name().toLowerCase(Locale.ROOT) + " " + e.getValue())
                    .collect(Collectors.joining(", "));
            md.append(String.format(Locale.ROOT, "| %s (actions %.0f/s, burst %d; get %.0f/s, burst %d) | %d | %d | "
                            + "%.2f | %s | %s | %s | %d |%n", phase.limits(), l.actionsPerSecond(), l.actionBurst(),
                    l.getsPerSecond(), l.getBurst(), phase.sessions(), phase.failed(), phase.sessionsPerSecond(),
                    phase.toActive().medianMillis(), phase.toActive().p99Millis(), calls, phase.throttled()));
        }
        if (provisioning.size() == 2) {
            Provisioning limited = provisioning.get(0);
            Provisioning lifted = provisioning.get(1);
            long lists = limited.calls().getOrDefault(SimulatedFly.Action.LIST, 0L);
            md.append(String.format(Locale.ROOT, "%nRatio, limits lifted / Fly's limits: %.1f× the sessions per "
                            + "second. Within Fly's limits the bound is the list action: the driver lists the "
                            + "session's machines before creating one (%d lists for %d sessions here), and lists share "
                            + "one bucket of 1 per second, so one provisioner, and one Fly app, bring about one "
                            + "session every %.1f s to ACTIVE after the burst.%n",
                    lifted.sessionsPerSecond() / limited.sessionsPerSecond(), lists, limited.sessions(),
                    limited.sessions() == 0 ? 0 : (double) lists / limited.sessions()));
        }
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
