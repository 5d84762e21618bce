package dev.velocitypreview.bench.proxy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.velocitypreview.bench.report.Chart;
import dev.velocitypreview.bench.report.Samples;

/**
 * What scenario 4 measured; {@code unavailable} says why nothing was (a missing tool), {@code nginxUnavailable}
 * why the nginx column is empty.
 */
public record ProxyResult(String unavailable, String nginxUnavailable, int threads, int connections, Duration warmUp,
                          int maxWarmUps, Duration run, int runs, List<Measurement> measurements) {

    static final String DIRECT = "straight to the machine";
    static final String ROUTER = "through our router";
    static final String NGINX = "through nginx";
    static final String SMALL = "small (" + ProxyOverheadScenario.SMALL_PAGE.length() + " B)";
    static final String LARGE = "100 KiB";
    public static final String THROUGHPUT_CHART = "proxy-requests-per-second.png";
    public static final String LATENCY_CHART = "proxy-latency.png";

    static ProxyResult unavailable(String why) {
        return new ProxyResult(why, null, 0, 0, Duration.ZERO, 0, Duration.ZERO, 0, List.of());
    }

    /** One target and response size: its measured wrk runs, summarized by their medians. */
    /** @param warmUps the unmeasured warm-up runs before {@code runs}, until the rate had settled */
    public record Measurement(String size, String target, int warmUps, List<Wrk.Run> runs) {

        public double requestsPerSecond() {
            return Samples.of(runs.stream().map(Wrk.Run::requestsPerSecond).toList()).median();
        }

        public double medianMs() {
            return Samples.of(runs.stream().map(Wrk.Run::medianMs).toList()).median();
        }

        public double p99Ms() {
            return Samples.of(runs.stream().map(Wrk.Run::p99Ms).toList()).median();
        }

        public long requests() {
            return runs.stream().mapToLong(Wrk.Run::requests).sum();
        }

        public long errors() {
            return runs.stream().mapToLong(Wrk.Run::errors).sum();
        }
    }

    public boolean measured() {
        return unavailable == null;
    }

    public Optional<Measurement> find(String size, String target) {
        return measurements.stream().filter(m -> m.size().equals(size) && m.target().equals(target)).findFirst();
    }

    /** Router requests/s over straight-to-machine requests/s for the small response, for the summary. */
    public Optional<Double> routerShareOfDirect(boolean large) {
        String size = large ? LARGE : SMALL;
        return find(size, ROUTER).flatMap(router -> find(size, DIRECT)
                .map(direct -> router.requestsPerSecond() / direct.requestsPerSecond()));
    }

    public Optional<Double> routerShareOfNginx(boolean large) {
        String size = large ? LARGE : SMALL;
        return find(size, ROUTER).flatMap(router -> find(size, NGINX)
                .map(nginx -> router.requestsPerSecond() / nginx.requestsPerSecond()));
    }

    public String section(Path charts, String chartLink) {
        StringBuilder md = new StringBuilder("## 4. Proxy overhead\n\n");
        if (!measured()) {
            return md.append("Not measured in this run: ").append(unavailable).append(".\n\n").toString();
        }
        List<String> sizes = List.of(SMALL, LARGE);
        List<String> targets = new ArrayList<>(List.of(DIRECT, ROUTER));
        if (nginxUnavailable == null) {
            targets.add(NGINX);
        }
        List<Chart.Bars> rates = new ArrayList<>();
        List<Chart.Bars> latencies = new ArrayList<>();
        for (String target : targets) {
            rates.add(new Chart.Bars(target, sizes.stream()
                    .mapToDouble(size -> find(size, target).map(Measurement::requestsPerSecond).orElse(Double.NaN)).toArray()));
            latencies.add(new Chart.Bars(target + ", p99", sizes.stream()
                    .mapToDouble(size -> find(size, target).map(Measurement::p99Ms).orElse(Double.NaN)).toArray()));
        }
        Chart.bars(charts.resolve(THROUGHPUT_CHART), "Requests per second to one preview machine (wrk, "
                + connections + " connections)", "requests per second", sizes, rates);
        Chart.bars(charts.resolve(LATENCY_CHART), "p99 latency to one preview machine (wrk, " + connections
                + " connections)", "milliseconds", sizes, latencies);

        md.append("What is measured: Debian's `wrk` (").append(threads).append(" threads, ").append(connections)
                .append(" keep-alive connections) requesting one file from one preview machine (preview-runtime's "
                        + "own socket front) straight, through our router in proxy mode (`/s/{id}/…`: session "
                        + "lookup in the directory, access check, relayed by the router's Netty fast path), and "
                        + "through Debian's `nginx` "
                        + "proxying the same machine (two workers, upstream keep-alive, buffers that hold 100 KiB). "
                        + "Each row: ")
                .append(runs).append(" measured runs of ").append(run.toSeconds())
                .append(" s after unmeasured warm-up runs of ").append(warmUp.toSeconds())
                .append(" s, repeated until two in a row were within ")
                .append(Math.round(ProxyOverheadScenario.SETTLED * 100)).append(" % of each other in requests/s (at most ")
                .append(maxWarmUps).append("; the table says how many each row took): the router's JIT has compiled "
                        + "its request path after a number of requests, which a loaded machine serves in far more "
                        + "seconds than an idle one, and a router measured before that runs partly interpreted; "
                        + "nginx and the machine settle at once. The figures are the medians of the runs' own "
                        + "figures (wrk's requests/s, its latency median and p99). wrk, the proxy and the machine share "
                        + "the same two cores, so every column pays for the others' CPU too.\n\n");
        if (nginxUnavailable != null) {
            md.append("No nginx column: ").append(nginxUnavailable).append(".\n\n");
        }
        md.append("| Response | Path | Requests/s | Latency median | p99 | Requests | Errors | Warm-up runs |\n")
                .append("|---|---|---:|---:|---:|---:|---:|---:|\n");
        for (String size : sizes) {
            for (String target : targets) {
                find(size, target).ifPresent(m -> md.append(String.format(Locale.ROOT,
                        "| %s | %s | %.0f | %s | %s | %d | %d | %d |%n", size, target, m.requestsPerSecond(),
                        Samples.millis(m.medianMs()), Samples.millis(m.p99Ms()), m.requests(), m.errors(),
                        m.warmUps())));
            }
        }
        find(SMALL, DIRECT).filter(direct -> direct.medianMs() > 20).ifPresent(direct -> md.append(String.format(
                Locale.ROOT, "%nGoing straight to the machine, a %s response takes %s at the median: far more than "
                        + "either proxy adds, so the machine's own HTTP server (the JDK's), not the proxies, bounds "
                        + "this scenario. A proxy with pooled upstream connections can even beat going straight.%n",
                SMALL, Samples.millis(direct.medianMs()))));
        md.append("\nRatios in this run (requests/s, and the median latency each proxy adds over going straight):\n\n")
                .append("| Response | Router / straight | nginx / straight | Router / nginx | Router adds | nginx adds |\n")
                .append("|---|---:|---:|---:|---:|---:|\n");
        for (String size : sizes) {
            Optional<Measurement> direct = find(size, DIRECT);
            Optional<Measurement> router = find(size, ROUTER);
            Optional<Measurement> nginx = find(size, NGINX);
            md.append("| ").append(size).append(" | ")
                    .append(ratio(router, direct)).append(" | ").append(ratio(nginx, direct)).append(" | ")
                    .append(ratio(router, nginx)).append(" | ").append(added(router, direct)).append(" | ")
                    .append(added(nginx, direct)).append(" |\n");
        }
        md.append("\n![requests per second](").append(chartLink).append(THROUGHPUT_CHART).append(")\n")
                .append("![p99 latency](").append(chartLink).append(LATENCY_CHART).append(")\n\n");
        return md.toString();
    }

    private static String ratio(Optional<Measurement> a, Optional<Measurement> b) {
        return a.isPresent() && b.isPresent()
                ? String.format(Locale.ROOT, "%.2f", a.get().requestsPerSecond() / b.get().requestsPerSecond()) : "–";
    }

    private static String added(Optional<Measurement> proxy, Optional<Measurement> direct) {
        return proxy.isPresent() && direct.isPresent()
                ? String.format(Locale.ROOT, "%+.2f ms", proxy.get().medianMs() - direct.get().medianMs()) : "–";
    }
}
