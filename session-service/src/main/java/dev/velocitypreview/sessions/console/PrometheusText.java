package dev.velocitypreview.sessions.console;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads the samples of Prometheus' text exposition format (version 0.0.4, what {@code /actuator/prometheus}
 * answers by default). Hand-written because neither Micrometer nor the Prometheus Java client ships a parser of
 * the format (they only write it), and the console needs only sample lines: name, labels, value. Comments
 * ({@code # HELP}, {@code # TYPE}) and timestamps are skipped; a line that does not parse is skipped too, so one
 * odd metric of another process never hides the others.
 */
final class PrometheusText {

    private PrometheusText() {
    }

    /**
     * One sample line.
     *
     * @param name   the metric name, with its suffix ({@code _bucket}, {@code _count}, {@code _total} ...)
     * @param labels its labels, unescaped
     * @param value  its value; {@code +Inf}, {@code -Inf} and {@code NaN} as the doubles of those names
     */
    record Sample(String name, Map<String, String> labels, double value) {

        Sample {
            Objects.requireNonNull(name, "name == null");
            labels = Map.copyOf(labels);
        }
    }

    static List<Sample> parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            String trimmed = line.strip();
            if (trimmed.isEmpty() || trimmed.startsWith("#")) {
                continue;
            }
            Sample sample = sample(trimmed);
            if (sample != null) {
                samples.add(sample);
            }
        }
        return samples;
    }

    private static Sample sample(String line) {
        int at = 0;
        while (at < line.length() && isNameChar(line.charAt(at), at == 0)) {
            at++;
        }
        if (at == 0) {
            return null;
        }
        String name = line.substring(0, at);
        Map<String, String> labels = new LinkedHashMap<>();
        if (at < line.length() && line.charAt(at) == '{') {
            at = labels(line, at + 1, labels);
            if (at < 0) {
                return null;
            }
        }
        String[] rest = line.substring(at).strip().split("\\s+");
        if (rest.length == 0 || rest[0].isEmpty()) {
            return null;
        }
        Double value = value(rest[0]);
        return value == null ? null : new Sample(name, labels, value);
    }

    /** Reads {@code a="x",b="y"}} from {@code at}; answers the index after the closing brace, or -1. */
    private static int labels(String line, int at, Map<String, String> into) {
        while (true) {
            while (at < line.length() && (line.charAt(at) == ',' || line.charAt(at) == ' ')) {
                at++;
            }
            if (at >= line.length()) {
                return -1;
            }
            if (line.charAt(at) == '}') {
                return at + 1;
            }
            int start = at;
            while (at < line.length() && isNameChar(line.charAt(at), at == start)) {
                at++;
            }
            if (at == start || at + 1 >= line.length() || line.charAt(at) != '=' || line.charAt(at + 1) != '"') {
                return -1;
            }
            String label = line.substring(start, at);
            at += 2;
            StringBuilder value = new StringBuilder();
            while (at < line.length() && line.charAt(at) != '"') {
                char c = line.charAt(at);
                if (c == '\\' && at + 1 < line.length()) {
                    char escaped = line.charAt(++at);
                    value.append(escaped == 'n' ? '\n' : escaped);
                } else {
                    value.append(c);
                }
                at++;
            }
            if (at >= line.length()) {
                return -1;
            }
            into.put(label, value.toString());
            at++;
        }
    }

    private static Double value(String text) {
        switch (text) {
            case "+Inf", "Inf":
                return Double.POSITIVE_INFINITY;
            case "-Inf":
                return Double.NEGATIVE_INFINITY;
            case "NaN":
                return Double.NaN;
            default:
                try {
                    return Double.parseDouble(text);
                } catch (NumberFormatException e) {
                    return null;
                }
        }
    }

    private static boolean isNameChar(char c, boolean first) {
        return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c == '_' || c == ':' || !first && c >= '0' && c <= '9';
    }
}
