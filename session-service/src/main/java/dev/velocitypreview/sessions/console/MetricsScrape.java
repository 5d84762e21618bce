package dev.velocitypreview.sessions.console;

import java.util.List;
import java.util.Objects;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.sessions.console.PrometheusText.Sample;

/**
 * What one metrics source answered on one refresh of the console.
 *
 * @param source  the source as the console shows it: {@code this process} or the URL it was scraped at
 * @param samples its samples; empty when it was unavailable
 * @param error   why it is unavailable (a status, a timeout, a refused connection); null when it answered
 */
record MetricsScrape(String source, List<Sample> samples, @Nullable String error) {

    /** How this process's own registry is named among the sources. */
    static final String THIS_PROCESS = "this process";

    MetricsScrape {
        Objects.requireNonNull(source, "source == null");
        samples = List.copyOf(samples);
    }

    static MetricsScrape answered(String source, List<Sample> samples) {
        return new MetricsScrape(source, samples, null);
    }

    static MetricsScrape unavailable(String source, String error) {
        return new MetricsScrape(source, List.of(), error);
    }

    boolean available() {
        return error == null;
    }
}
