package dev.velocitypreview.sessions.api;

import java.time.Duration;
import java.util.UUID;

import org.jspecify.annotations.Nullable;
import org.springframework.stereotype.Component;

import dev.velocitypreview.core.directory.SessionDirectory;
import dev.velocitypreview.core.session.SessionStatus;
import dev.velocitypreview.core.session.SessionView;
import dev.velocitypreview.core.session.Tier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * What the API measures (each metric is documented in docs/metrics.md): the sessions it accepted (refusals are
 * counted by the {@code ProblemCounter}), the sessions in each status as its view holds them, and how long
 * sessions took from creation to ready.
 */
@Component
class SessionMetrics {

    static final String REQUESTED = "velocity.sessions.requested";
    static final String CURRENT = "velocity.sessions.current";
    static final String PROVISIONING = "velocity.sessions.provisioning";

    private final MeterRegistry registry;
    private final SessionDirectory directory;
    private final Timer provisioning;

    SessionMetrics(MeterRegistry registry, SessionDirectory directory, SessionStatistics statistics) {
        this.registry = registry;
        this.directory = directory;
        for (SessionStatus status : SessionStatus.values()) {
            // read from the statistics' scan, shared by all statuses of one scrape; nothing while the view loads
            Gauge.builder(CURRENT, statistics, current -> directory.isReady() ? current.current().count(status) : Double.NaN)
                    .description("sessions in this status in the API's view, ended ones until the retention purges them")
                    .tag("status", SessionStatistics.tag(status))
                    .register(registry);
        }
        this.provisioning = Timer.builder(PROVISIONING)
                .description("time from a session's creation (its row) to ready (its first page served), observed when "
                        + "the API's view first sees it ACTIVE")
                .publishPercentileHistogram()
                .minimumExpectedValue(Duration.ofMillis(100))
                .maximumExpectedValue(Duration.ofMinutes(10))
                .register(registry);
        directory.addListener(this::changed);
    }

    void requested(Tier tier) {
        Counter.builder(REQUESTED)
                .description("sessions accepted (202) by POST /v1/sessions, retries with an Idempotency-Key included")
                .tag("tier", tier.wireName())
                .register(registry)
                .increment();
    }

    /**
     * A session seen ACTIVE for the first time: not a wake from SUSPENDED, not a later write of an ACTIVE row (an
     * extend), and not while the view is restored at start-up, which replays sessions that became ready long ago.
     */
    private void changed(UUID id, @Nullable SessionView before, @Nullable SessionView update) {
        if (update == null || update.status() != SessionStatus.ACTIVE || !directory.isReady()) {
            return;
        }
        if (before != null && (before.status() == SessionStatus.ACTIVE || before.status() == SessionStatus.SUSPENDED)) {
            return;
        }
        if (update.createdAt() == null || update.readyAt() == null || update.readyAt().isBefore(update.createdAt())) {
            return;
        }
        provisioning.record(Duration.between(update.createdAt(), update.readyAt()));
    }
}
