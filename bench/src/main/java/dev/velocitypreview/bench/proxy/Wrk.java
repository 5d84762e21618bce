package dev.velocitypreview.bench.proxy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Debian's {@code wrk}: one run against one url, read back from its {@code --latency} report. */
final class Wrk {

    private static final Pattern PERCENTILE = Pattern.compile("^\\s*(50|99)(?:\\.000)?%\\s+([0-9.]+)(us|ms|s)\\s*$",
            Pattern.MULTILINE);
    private static final Pattern REQUESTS_PER_SECOND = Pattern.compile("^Requests/sec:\\s+([0-9.]+)", Pattern.MULTILINE);
    private static final Pattern REQUESTS = Pattern.compile("^\\s*(\\d+) requests in", Pattern.MULTILINE);
    private static final Pattern NON_2XX = Pattern.compile("Non-2xx or 3xx responses:\\s+(\\d+)");
    private static final Pattern SOCKET_ERRORS = Pattern.compile(
            "Socket errors: connect (\\d+), read (\\d+), write (\\d+), timeout (\\d+)");

    private final Path executable;
    private final int threads;
    private final int connections;

    Wrk(Path executable, int threads, int connections) {
        this.executable = executable;
        this.threads = threads;
        this.connections = connections;
    }

    int threads() {
        return threads;
    }

    int connections() {
        return connections;
    }

    /** What one run measured; latencies in milliseconds. */
    record Run(double requestsPerSecond, long requests, double medianMs, double p99Ms, long errors) {
    }

    Run run(String url, Duration duration) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(List.of(executable.toString(), "-t", Integer.toString(threads),
                "-c", Integer.toString(connections), "-d", duration.toSeconds() + "s", "--latency", url))
                .redirectErrorStream(true).start();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(duration.toSeconds() + 30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new IOException("wrk did not finish against " + url);
        }
        if (process.exitValue() != 0) {
            throw new IOException("wrk failed against " + url + ": " + output);
        }
        return parse(output, url);
    }

    static Run parse(String output, String url) throws IOException {
        double median = Double.NaN;
        double p99 = Double.NaN;
        Matcher percentiles = PERCENTILE.matcher(output);
        while (percentiles.find()) {
            double millis = toMillis(Double.parseDouble(percentiles.group(2)), percentiles.group(3));
            if (percentiles.group(1).equals("50")) {
                median = millis;
            } else {
                p99 = millis;
            }
        }
        Matcher rate = REQUESTS_PER_SECOND.matcher(output);
        Matcher requests = REQUESTS.matcher(output);
        if (Double.isNaN(median) || Double.isNaN(p99) || !rate.find() || !requests.find()) {
            throw new IOException("wrk's report against " + url + " could not be read:\n" + output);
        }
        long errors = 0;
        Matcher non2xx = NON_2XX.matcher(output);
        if (non2xx.find()) {
            errors += Long.parseLong(non2xx.group(1));
        }
        Matcher socket = SOCKET_ERRORS.matcher(output);
        if (socket.find()) {
            for (int group = 1; group <= 4; group++) {
                errors += Long.parseLong(socket.group(group));
            }
        }
        return new Run(Double.parseDouble(rate.group(1)), Long.parseLong(requests.group(1)), median, p99, errors);
    }

    private static double toMillis(double value, String unit) {
        return switch (unit.toLowerCase(Locale.ROOT)) {
            case "us" -> value / 1000;
            case "s" -> value * 1000;
            default -> value;
        };
    }
}
