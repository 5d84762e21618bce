package dev.velocitypreview.sessions.console;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Bin;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Histogram;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Lag;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.SessionRow;
import dev.velocitypreview.sessions.console.ConsoleSnapshot.Source;
import dev.velocitypreview.sessions.console.PrometheusText.Sample;

/**
 * Turns the view's sessions and the scraped samples into a {@link ConsoleSnapshot}; a pure function, so the
 * figures are tested without a service. Counters and histograms of several instances (two routers, say) add up;
 * the changelog lag is shown per source, since each directory has its own.
 */
final class ConsoleFigures {

    static final int NEWEST = 20;
    static final String PROVISIONING = "velocity_sessions_provisioning_seconds";
    static final String ROUTER_HOLD = "velocity_router_hold_duration_seconds";
    static final String CHANGELOG_LAG = "velocity_directory_changelog_lag_seconds";
    static final String RELAY_LAG = "velocity_cdc_lag_milliseconds";
    static final String CLEANUP_ACTIONS = "velocity_cleanup_actions_total";
    static final String DEAD_LETTERED = "velocity_provisioner_commands_dead_lettered_total";
    /** The chart's bins, in seconds: wide enough for a hold of a few milliseconds and a cold install of minutes. */
    static final List<Double> BOUNDS = List.of(0.01, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 120.0);

    private static final Comparator<SessionView> NEWEST_FIRST = Comparator
            .comparing(ConsoleFigures::since, Comparator.nullsLast(Comparator.<Instant>reverseOrder()))
            .thenComparing(SessionView::id);

    private ConsoleFigures() {
    }

    /**
     * @param sessionsByStatus the API's statistics ({@code GET /v1/admin/statistics}); null while the view loads
     * @param sessions         every session of the view; null while it loads
     */
    static ConsoleSnapshot snapshot(Instant now, @Nullable Map<String, Long> sessionsByStatus,
                                    @Nullable List<SessionView> sessions, List<MetricsScrape> scrapes) {
        boolean ready = sessionsByStatus != null && sessions != null;
        List<Lag> lags = new ArrayList<>();
        List<Source> sources = new ArrayList<>();
        for (MetricsScrape scrape : scrapes) {
            sources.add(new Source(scrape.source(), scrape.available(), scrape.error()));
            Histogram lag = histogram(List.of(scrape), CHANGELOG_LAG);
            if (lag != null) {
                lags.add(new Lag(scrape.source(), lag.count(), lag.count() == 0 ? null : lag.sumSeconds() / lag.count(),
                        lag.maxSeconds()));
            }
        }
        return new ConsoleSnapshot(now, ready, ready ? sessionsByStatus : null,
                ready ? newest(sessions, now) : null, ready ? machines(sessions) : null,
                histogram(scrapes, PROVISIONING), histogram(scrapes, ROUTER_HOLD), lags,
                largest(scrapes, RELAY_LAG), byLabel(scrapes, CLEANUP_ACTIONS, "action"), sum(scrapes, DEAD_LETTERED),
                sources);
    }

    private static List<SessionRow> newest(List<SessionView> sessions, Instant now) {
        return sessions.stream().sorted(NEWEST_FIRST).limit(NEWEST).map(view -> {
            Instant since = since(view);
            return new SessionRow(view.id(), view.status().name(), view.machineId(), view.userId(), view.projectId(),
                    since == null ? null : Math.max(0, Duration.between(since, now).toSeconds()));
        }).toList();
    }

    private static @Nullable Instant since(SessionView view) {
        return view.requestedAt() != null ? view.requestedAt() : view.createdAt();
    }

    /** Sessions that hold a machine and have not ended, by status, in lifecycle order. */
    private static Map<String, Long> machines(List<SessionView> sessions) {
        Map<String, Long> byState = new LinkedHashMap<>();
        for (SessionStatus status : SessionStatus.values()) {
            if (!status.isTerminal()) {
                byState.put(status.name(), 0L);
            }
        }
        for (SessionView view : sessions) {
            if (view.machineId() != null && !view.status().isTerminal()) {
                byState.merge(view.status().name(), 1L, Long::sum);
            }
        }
        return byState;
    }

    /**
     * A timer's {@code _count}, {@code _sum}, {@code _max} and {@code _bucket} series over every source and tag.
     * Each series' cumulative buckets are read into the chart's bins on their own before they are added, so that
     * instances with different bucket bounds still add up.
     */
    static @Nullable Histogram histogram(List<MetricsScrape> scrapes, String name) {
        long count = 0;
        double sum = 0;
        Double max = null;
        boolean seen = false;
        long[] bins = new long[BOUNDS.size() + 1];
        boolean bucketed = false;
        for (MetricsScrape scrape : scrapes) {
            Map<Map<String, String>, TreeMap<Double, Double>> series = new HashMap<>();
            for (Sample sample : scrape.samples()) {
                if (sample.name().equals(name + "_count")) {
                    seen = true;
                    count += (long) sample.value();
                } else if (sample.name().equals(name + "_sum")) {
                    sum += sample.value();
                } else if (sample.name().equals(name + "_max") && !Double.isNaN(sample.value())) {
                    max = max == null ? sample.value() : Math.max(max, sample.value());
                } else if (sample.name().equals(name + "_bucket") && sample.labels().containsKey("le")) {
                    Double le = bound(sample.labels().get("le"));
                    if (le != null) {
                        Map<String, String> others = new HashMap<>(sample.labels());
                        others.remove("le");
                        series.computeIfAbsent(others, key -> new TreeMap<>()).put(le, sample.value());
                    }
                }
            }
            for (TreeMap<Double, Double> cumulative : series.values()) {
                bucketed = true;
                double below = 0;
                for (int i = 0; i <= BOUNDS.size(); i++) {
                    double upTo = i < BOUNDS.size() ? BOUNDS.get(i) : Double.POSITIVE_INFINITY;
                    Map.Entry<Double, Double> at = cumulative.floorEntry(upTo);
                    double total = at == null ? 0 : at.getValue();
                    bins[i] += (long) Math.max(0, total - below);
                    below = Math.max(below, total);
                }
            }
        }
        if (!seen) {
            return null;
        }
        List<Bin> chart = new ArrayList<>();
        if (bucketed) {
            for (int i = 0; i <= BOUNDS.size(); i++) {
                chart.add(new Bin(i < BOUNDS.size() ? BOUNDS.get(i) : null, bins[i]));
            }
        }
        return new Histogram(count, sum, max, chart);
    }

    private static @Nullable Double bound(String le) {
        if ("+Inf".equals(le)) {
            return Double.POSITIVE_INFINITY;
        }
        try {
            return Double.parseDouble(le);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static @Nullable Double sum(List<MetricsScrape> scrapes, String name) {
        Double total = null;
        for (MetricsScrape scrape : scrapes) {
            for (Sample sample : scrape.samples()) {
                if (sample.name().equals(name) && !Double.isNaN(sample.value())) {
                    total = (total == null ? 0 : total) + sample.value();
                }
            }
        }
        return total;
    }

    private static @Nullable Double largest(List<MetricsScrape> scrapes, String name) {
        Double largest = null;
        for (MetricsScrape scrape : scrapes) {
            for (Sample sample : scrape.samples()) {
                if (sample.name().equals(name) && !Double.isNaN(sample.value())) {
                    largest = largest == null ? sample.value() : Math.max(largest, sample.value());
                }
            }
        }
        return largest;
    }

    static @Nullable Map<String, Double> byLabel(List<MetricsScrape> scrapes, String name, String label) {
        Map<String, Double> totals = null;
        for (MetricsScrape scrape : scrapes) {
            for (Sample sample : scrape.samples()) {
                if (sample.name().equals(name) && sample.labels().containsKey(label) && !Double.isNaN(sample.value())) {
                    totals = totals == null ? new TreeMap<>() : totals;
                    totals.merge(sample.labels().get(label), sample.value(), Double::sum);
                }
            }
        }
        return totals;
    }
}
