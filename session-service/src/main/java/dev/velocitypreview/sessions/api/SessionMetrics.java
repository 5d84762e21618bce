package dev.velocitypreview.sessions.api;

import org.springframework.stereotype.Component;

import dev.velocitypreview.core.session.Tier;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;

/** What the API counts: the sessions it accepted (refusals are counted by the {@code ProblemCounter}). */
@Component
class SessionMetrics {

    private final MeterRegistry registry;

    SessionMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    void requested(Tier tier) {
        Counter.builder("velocity.sessions.requested")
                .description("sessions accepted (202) by POST /v1/sessions, retries with an Idempotency-Key included")
                .tag("tier", tier.wireName())
                .register(registry)
                .increment();
    }
}
