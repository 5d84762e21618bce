package dev.velocitypreview.bench.consumer;

import java.util.List;
import java.util.Locale;
import java.util.Optional;

import dev.velocitypreview.bench.report.Samples;

/** Scenario 7: what one slow session costs the other sessions of its partition, by way of consuming it. */
public record SlowSessionResult(SlowSessionScenario.Settings settings, List<Measurement> measurements) {

    public static final String HEADING = "## 7. One slow session among the sessions of a partition";
    public static final String SUMMARY_START = "One session taking ";

    /**
     * @param variant      which consumer
     * @param description  what it is, for the report
     * @param others       milliseconds from each other session's publication to the end of its record
     * @param slowMillis   the same for the slow session
     * @param committed    the position committed once everything finished
     */
    public record Measurement(String variant, String description, Samples others, double slowMillis,
                              long committed) {
    }

    public Measurement measurement(String variant) {
        return measurements.stream().filter(m -> m.variant().equals(variant)).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("no variant " + variant));
    }

    /** Median delay of the others with {@code variant} over the provisioner's own consumer's. */
    public Optional<Double> ratioToLanes(String variant) {
        Samples lanes = measurement("LANES").others();
        Samples other = measurement(variant).others();
        return lanes.isEmpty() || other.isEmpty() ? Optional.empty() : Optional.of(other.median() / lanes.median());
    }

    /** One line for the report's summary. */
    public String summaryLine() {
        Measurement lanes = measurement("LANES");
        Measurement async = measurement("ASYNC_ACKS");
        return String.format(Locale.ROOT, SUMMARY_START + "%d s among %d on a partition: the other %d finished "
                        + "%s median (max %s) after publication with the provisioner's consumer, %s median (max %s) "
                        + "with a container using `asyncAcks` (%s).",
                settings.slow().toSeconds(), settings.sessions(), lanes.others().count(), lanes.others().medianMillis(),
                max(lanes.others()), async.others().medianMillis(), max(async.others()),
                ratioToLanes("ASYNC_ACKS").map(r -> String.format(Locale.ROOT, "%.0f× longer", r)).orElse("–"));
    }

    public String section() {
        StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n")
                .append(String.format(Locale.ROOT, "What is measured: %d sessions' commands on one partition of a "
                                + "real broker. The first session's command takes %s (a machine slow to start); once "
                                + "the consumer has taken it, one command of each of the other %d sessions is "
                                + "published to the same partition, each taking %s. Handlers are simulated (they "
                                + "wait); brokers, consumers and commits are real. The figure is, for each of the "
                                + "other sessions, the time from its publication to the end of its command: what a "
                                + "user whose session shares a partition with a slow machine waits. Every variant "
                                + "commits only finished work (the last column: the committed position once all "
                                + "%d finished).%n%n",
                        settings.sessions(), seconds(settings.slow()), settings.sessions() - 1,
                        Samples.millis(settings.fast().toMillis()), settings.sessions()))
                .append("| Consumer | Other sessions | Median | Max | Ratio of medians to ours | Slow session | "
                        + "Committed |\n|---|---:|---:|---:|---:|---:|---:|\n");
        for (Measurement m : measurements) {
            md.append(String.format(Locale.ROOT, "| %s | %d | %s | %s | %s | %s | %d |%n", m.description(),
                    m.others().count(), m.others().medianMillis(), max(m.others()),
                    ratioToLanes(m.variant()).map(r -> String.format(Locale.ROOT, "%.1f×", r)).orElse("–"),
                    Samples.millis(m.slowMillis()), m.committed()));
        }
        md.append("\nWith `asyncAcks` the container pauses every assigned partition until each record of the "
                + "previous poll is acknowledged, so the commands published after the slow one are not even fetched "
                + "until it finished. The provisioner's container runs without `asyncAcks` and keeps fetching; its "
                + "`PartitionProgress` acknowledges, per partition, only the highest record below which every "
                + "record finished (`docs/architecture.md`).\n\n");
        return md.toString();
    }

    private static String seconds(java.time.Duration duration) {
        return String.format(Locale.ROOT, "%.0f s", duration.toMillis() / 1000.0);
    }

    private static String max(Samples samples) {
        return samples.isEmpty() ? "–" : Samples.millis(samples.max());
    }
}
