package dev.velocitypreview.bench.wake;

import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.UUID;

import dev.velocitypreview.bench.report.Samples;

/** Scenario 9: first byte of a suspended preview (the request wakes it) beside the same preview's while ACTIVE. */
public record WakeResult(WakeScenario.Settings settings, List<Trace> traces, Duration took) {

    public static final String HEADING = "## 9. Wake to first byte";
    /** How the scenario's summary line starts, to find it in an existing report. */
    public static final String SUMMARY_START = "Wake to first byte";
    /** Issue 9's target for the median, locally. */
    public static final double TARGET_P50_MS = 300;

    /**
     * One session.
     *
     * @param activeStatus  the router's answer while the session was ACTIVE
     * @param activeMs      request → first byte while ACTIVE
     * @param wokenStatus   the router's answer to the request that woke the suspended session
     * @param wokenMs       request → first byte of that request
     */
    public record Trace(UUID sessionId, int activeStatus, double activeMs, int wokenStatus, double wokenMs) {
    }

    /** First byte of the requests that woke a session and were answered 200. */
    public Samples wake() {
        return Samples.of(traces.stream().filter(t -> t.wokenStatus() == 200).map(Trace::wokenMs).toList());
    }

    /** First byte of the same previews while ACTIVE, answered 200. */
    public Samples active() {
        return Samples.of(traces.stream().filter(t -> t.activeStatus() == 200).map(Trace::activeMs).toList());
    }

    public boolean meetsTarget() {
        return !wake().isEmpty() && wake().median() <= TARGET_P50_MS;
    }

    private String ratio() {
        Samples wake = wake();
        Samples active = active();
        return wake.isEmpty() || active.isEmpty() ? "–"
                : String.format(Locale.ROOT, "%.0f×", wake.median() / active.median());
    }

    public String summaryLine() {
        Samples wake = wake();
        return String.format(Locale.ROOT, SUMMARY_START + " of a suspended preview (%d sessions, %d woken with a 200): "
                        + "%s p50, %s p90, %s max; the same previews while ACTIVE %s p50 (%s); target p50 ≤ %.0f ms %s.",
                traces.size(), wake.count(), wake.medianMillis(), percentile(wake, 90), max(wake),
                active().medianMillis(), ratio(), TARGET_P50_MS, meetsTarget() ? "met" : "not met");
    }

    public String section() {
        Samples wake = wake();
        Samples active = active();
        StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n")
                .append(String.format(Locale.ROOT, "What is measured: %d sessions on the platform of scenario 1 "
                        + "(team tier, a static project each), one after the other. Each is created and its preview "
                        + "requested until it answers 200 (provisioning, not a figure here); one more request is "
                        + "timed while the session is ACTIVE. Then the bench publishes a SUSPEND for it to "
                        + "`preview.session-commands` itself (keyed by the session id, acks=all), as cleanup would "
                        + "once the tier's idle timeout has passed (the team tier's hour is far longer than this "
                        + "run), and waits until its session directory shows the session SUSPENDED: the provisioner "
                        + "has stopped the runtime's process (SIGSTOP, memory kept) and written the row. The next "
                        + "request is the one timed: the router holds it and publishes a RESUME, the provisioner "
                        + "continues the process (SIGCONT) and waits until it is ready, writes the row ACTIVE, and the "
                        + "changelog brings it to the router, which proxies the held request. Times are from "
                        + "sending a request to receiving the status line and headers, on this one machine "
                        + "(%.0f s in all).%n%n", settings.sessions(), took.toMillis() / 1000.0))
                .append("| Request | Answered 200 | p50 | p90 | Max |\n")
                .append("|---|---:|---:|---:|---:|\n")
                .append(String.format(Locale.ROOT, "| preview ACTIVE | %d of %d | %s | %s | %s |%n", active.count(),
                        traces.size(), active.medianMillis(), percentile(active, 90), max(active)))
                .append(String.format(Locale.ROOT, "| preview SUSPENDED, woken by the request | %d of %d | %s | %s | "
                        + "%s |%n", wake.count(), traces.size(), wake.medianMillis(), percentile(wake, 90), max(wake)))
                .append(String.format(Locale.ROOT, "%nA wake adds %s to the first byte (ratio of medians, woken / "
                                + "active: %s). Target (issue 9): wake → first byte p50 ≤ %.0f ms locally: %s.%n%n",
                        wake.isEmpty() || active.isEmpty() ? "–" : Samples.millis(wake.median() - active.median()),
                        ratio(), TARGET_P50_MS, meetsTarget() ? "met" : "not met"));
        return md.toString();
    }

    private static String percentile(Samples samples, double percent) {
        return samples.isEmpty() ? "–" : Samples.millis(samples.percentile(percent));
    }

    private static String max(Samples samples) {
        return samples.isEmpty() ? "–" : Samples.millis(samples.max());
    }
}
