package dev.velocitypreview.bench.retention;

import java.time.Duration;
import java.util.Locale;

import dev.velocitypreview.core.directory.SessionIndex;

/**
 * Scenario 8: a session directory's heap with live sessions only, with a batch of ended sessions in retention, and
 * after many sessions were retained out.
 *
 * @param inRetention the directory with the first batch ended and not yet retained out
 */
public record RetentionHeapResult(RetentionHeapScenario.Settings settings, Point live, Point inRetention, Point after,
                                  Duration took) {

    public static final String HEADING = "## 8. Session directory memory under retention";
    /** How the scenario's summary line starts, to find it in an existing report. */
    public static final String SUMMARY_START = "A session directory with ";

    /**
     * @param index     what the directory's index held
     * @param rows      rows in the sessions store
     * @param creates   CREATEs in the requested store
     * @param heapBytes used heap after a full collection, less the heap before the directory was made
     */
    public record Point(String state, SessionIndex.Stats index, long rows, long creates, long heapBytes) {
    }

    /** The heap after retention over the heap with live sessions only. */
    public double ratio() {
        return (double) after.heapBytes() / live.heapBytes();
    }

    public String summaryLine() {
        return String.format(Locale.ROOT, SUMMARY_START + "%,d live sessions: %s of heap; after %,d more sessions "
                        + "were created, ended and retained out: %s (%.2f×; %,d sessions left in its index).",
                settings.live(), mib(live.heapBytes()), settings.retained(), mib(after.heapBytes()), ratio(),
                after.index().sessions());
    }

    public String section() {
        StringBuilder md = new StringBuilder();
        md.append(HEADING).append("\n\n")
                .append(String.format(Locale.ROOT, "What is measured: the heap a router's session directory takes "
                        + "(its two in-memory global stores and its index of decoded views and per-user ids) with "
                        + "%,d live sessions (a CREATE and an ACTIVE row each, 1,000 users), then while %,d more "
                        + "sessions are each created, made ACTIVE, TERMINATED and retained out (cleanup's tombstone on "
                        + "the command topic, the deleted row's tombstone on the changelog), %,d at a time. "
                        + "platform-core's real directory topology (`SessionDirectoryTopology` with the directory's "
                        + "`SessionIndex`) runs in a `TopologyTestDriver`, fed through the real topic serdes; no "
                        + "broker. Heap is the used heap after full collections, less the heap before the directory "
                        + "was made, in one JVM and one run (%.0f s).%n%n",
                        settings.live(), settings.retained(), settings.batch(), took.toMillis() / 1000.0))
                .append("| Directory holds | Sessions in its index | Decoded views | Users | Rows | CREATEs | Heap |\n")
                .append("|---|---:|---:|---:|---:|---:|---:|\n");
        for (Point point : new Point[] {live, inRetention, after}) {
            if (point == null) {
                continue;
            }
            md.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | %,d | %,d | %s |%n", point.state(),
                    point.index().sessions(), point.index().liveViews(), point.index().users(), point.rows(),
                    point.creates(), mib(point.heapBytes())));
        }
        md.append(String.format(Locale.ROOT, "%nAfter retention the directory takes %.2f× the heap it took with the "
                + "live sessions only: a retained-out session leaves nothing behind (before, its per-user "
                + "entry and its CREATE in the requested store stayed for good).%n%n",
                ratio()));
        return md.toString();
    }

    static String mib(long bytes) {
        return String.format(Locale.ROOT, "%.1f MiB", bytes / (1024.0 * 1024));
    }
}
