package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The router's meters: requests held right now, decisions by outcome, how long held requests waited,
 * and how long proxied requests took (preview requests are not observed as {@code http.server.requests}:
 * they would all be filed under one unmapped uri, at a cost on every request).
 */
final class RouterMetrics {

    static final String HELD = "velocity.router.held.requests";
    static final String DECISIONS = "velocity.router.decisions";
    static final String HOLD_DURATION = "velocity.router.hold.duration";
    static final String FORWARD_DURATION = "velocity.router.forward.duration";

    /** How a forward to a machine ended. */
    static final String FORWARDED = "forwarded";
    static final String UNREACHABLE = "machine_unreachable";
    static final String TOO_LARGE = "body_too_large";
    static final String UNROUTABLE = "unroutable";

    /** Outcomes decided before a session is looked at, next to the {@link RouteDecision.Outcome} tags. */
    static final String MALFORMED = "malformed";
    static final String REDIRECT = "redirect";
    static final String LOADING = "loading";

    private final MeterRegistry registry;
    /** The few outcomes' counters, found once: building and registering a meter on every request costs. */
    private final Map<String, Counter> decisions = new ConcurrentHashMap<>();
    private final Map<String, Timer> forwards = new ConcurrentHashMap<>();

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

    /** A request handed to a machine (proxy mode) or to Fly's proxy (fly-replay mode), until its answer ended. */
    void forwarded(String outcome, long nanos) {
        forwards.computeIfAbsent(outcome, tag -> Timer.builder(FORWARD_DURATION)
                .description("requests forwarded to a preview machine, from the decision to the end of the answer, "
                        + "by how they ended")
                .tag("outcome", tag).register(registry)).record(Duration.ofNanos(nanos));
    }

    void held(RouteDecision.Outcome outcome, Duration waited) {
        Timer.builder(HOLD_DURATION).description("how long held requests waited, by how the wait ended")
                .tag("outcome", outcome.tag()).register(registry).record(waited);
    }
}
