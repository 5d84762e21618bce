package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/** The router's meters: requests held right now, decisions by outcome, and how long held requests waited. */
final class RouterMetrics {

    static final String HELD = "velocity.router.held.requests";
    static final String DECISIONS = "velocity.router.decisions";
    static final String HOLD_DURATION = "velocity.router.hold.duration";

    /** Outcomes decided before a session is looked at, next to the {@link RouteDecision.Outcome} tags. */
    static final String MALFORMED = "malformed";
    static final String REDIRECT = "redirect";
    static final String LOADING = "loading";

    private final MeterRegistry registry;
    /** The few outcomes' counters, found once: building and registering a meter on every request costs. */
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();

    RouterMetrics(MeterRegistry registry, SessionLookup sessions) {
        this.registry = registry;
        Gauge.builder(HELD, sessions, SessionLookup::waiting)
                .description("requests parked until their session is routable, ends, or the wait runs out")
                .register(registry);
    }

    void decided(String outcome) {
        decisions.computeIfAbsent(outcome, tag -> Counter.builder(DECISIONS)
                .description("requests to previews by what the router did with them")
                .tag("outcome", tag).register(registry)).increment();
    }

    void held(RouteDecision.Outcome outcome, Duration waited) {
        Timer.builder(HOLD_DURATION).description("how long held requests waited, by how the wait ended")
                .tag("outcome", outcome.tag()).register(registry).record(waited);
    }
}
