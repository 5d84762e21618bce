package dev.velocitypreview.boot.directory;

import java.time.Clock;
import java.time.Duration;
import java.util.UUID;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionView;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * How far behind the database a session directory is: for every row it accepts, the time from the row's
 * write ({@code updated_at}, the provisioner's transaction) to the directory holding it, so across the
 * replication slot, Debezium, Kafka and the directory's stream thread. Rows replayed while the directory
 * restores at start-up are left out (they are old on purpose), and so are requested views, which no row
 * wrote yet.
 */
public final class ChangelogLag implements SessionDirectory.Listener {

    /** {@code velocity.directory.changelog.lag}, in Prometheus {@code velocity_directory_changelog_lag_seconds}. */
    public static final String METER = "velocity.directory.changelog.lag";

    private final SessionDirectory directory;
    private final Clock clock;
    private final Timer lag;

    private ChangelogLag(SessionDirectory directory, Clock clock, MeterRegistry registry) {
        this.directory = directory;
        this.clock = clock;
        this.lag = Timer.builder(METER)
                .description("time from a session row's write in PostgreSQL to this service's session directory")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(1))
                .maximumExpectedValue(Duration.ofSeconds(30))
                .register(registry);
    }

    /** Measures {@code directory}'s lag from now on; call before the directory starts. */
    public static ChangelogLag measure(SessionDirectory directory, Clock clock, MeterRegistry registry) {
        ChangelogLag meter = new ChangelogLag(directory, clock, registry);
        directory.addListener(meter);
        return meter;
    }

    @Override
    public void changed(UUID id, SessionView before, SessionView update) {
        if (update == null || update.version() == 0 || update.updatedAt() == null || !directory.isReady()) {
            return;
        }
        Duration behind = Duration.between(update.updatedAt(), clock.instant());
        // clocks of two machines: a row stamped a little in the future is no lag at all
        lag.record(behind.isNegative() ? Duration.ZERO : behind);
    }
}
