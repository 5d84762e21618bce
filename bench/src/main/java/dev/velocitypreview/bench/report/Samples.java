package dev.velocitypreview.bench.report;

import java.util.Arrays;
import java.util.Collection;
import java.util.Locale;

/**
 * Measured values of one kind (milliseconds unless a caller says otherwise), with the order statistics the
 * report prints. Percentiles are nearest-rank: the value below which that share of the samples lie, always
 * one that was measured.
 */
public final class Samples {

    private final double[] sorted;

    private Samples(double[] values) {
        this.sorted = values.clone();
        Arrays.sort(sorted);
    }

    public static Samples of(Collection<? extends Number> values) {
        return new Samples(values.stream().mapToDouble(Number::doubleValue).toArray());
    }

    public static Samples of(double... values) {
        return new Samples(values);
    }

    public int count() {
        return sorted.length;
    }

    public boolean isEmpty() {
        return sorted.length == 0;
    }

    public double median() {
        return percentile(50);
    }

    public double p99() {
        return percentile(99);
    }

    public double max() {
        return requireSamples()[sorted.length - 1];
    }

    /** @param percent from 0 (exclusive) to 100 */
    public double percentile(double percent) {
        requireSamples();
        int rank = (int) Math.ceil(percent / 100.0 * sorted.length);
        return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
    }

    /** The values in ascending order, for charts. */
    public double[] ascending() {
        return sorted.clone();
    }

    /** "12.3 ms" style, or a dash when nothing was measured. */
    public static String millis(double value) {
        if (Double.isNaN(value)) {
            return "–";
        }
        return value >= 100 ? String.format(Locale.ROOT, "%.0f ms", value) : String.format(Locale.ROOT, "%.1f ms", value);
    }

    public String medianMillis() {
        return isEmpty() ? "–" : millis(median());
    }

    public String p99Millis() {
        return isEmpty() ? "–" : millis(p99());
    }

    private double[] requireSamples() {
        if (sorted.length == 0) {
            throw new IllegalStateException("no samples");
        }
        return sorted;
    }
}
