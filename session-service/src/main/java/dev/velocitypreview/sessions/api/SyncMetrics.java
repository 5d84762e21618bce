package dev.velocitypreview.sessions.api;

import org.springframework.stereotype.Component;

import dev.velocitypreview.sessions.edits.ProjectFileWaiters;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

/** What the machines' sync endpoint measures (docs/metrics.md). */
@Component
class SyncMetrics {

    static final String SYNCS = "velocity.sync.syncs";
    static final String HELD = "velocity.sync.held";
    static final String REPORTS = "velocity.sync.reports";

    private final MeterRegistry registry;

    SyncMetrics(MeterRegistry registry, ProjectFileWaiters waiters) {
        this.registry = registry;
        Gauge.builder(HELD, waiters, ProjectFileWaiters::waiting)
                .description("machine syncs held open right now, waiting for a change of their project")
                .register(registry);
    }

    /**
     * @param outcome {@code changes} (answered at once with what differs), {@code woken} (held, then answered with a
     *                change), {@code empty} (held for the whole hold, answered empty) or {@code refused} (a problem)
     */
    void synced(String outcome) {
        Counter.builder(SYNCS)
                .description("machine syncs by how they were answered")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }

    /** One edit result relayed to preview.session-edits. */
    void relayed(String outcome) {
        Counter.builder(REPORTS)
                .description("edit results machines sent with their syncs, relayed to preview.session-edits, by outcome")
                .tag("outcome", outcome)
                .register(registry)
                .increment();
    }
}
