package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

/**
 * The router's meters: requests held right now, decisions by outcome, how long held requests waited (by
 * outcome and by the status they were held in), wakes of suspended sessions and how long they took, and how long
 * proxied requests took (preview requests are not observed as {@code http.server.requests}: they would all be
 * filed under one unmapped uri, at a cost on every request). Every meter is listed in docs/metrics.md.
 */
final class RouterMetrics {

    static final String HELD = "velocity.router.held.requests";
    static final String DECISIONS = "velocity.router.decisions";
    static final String HOLD_DURATION = "velocity.router.hold.duration";
    static final String FORWARD_DURATION = "velocity.router.forward.duration";
    static final String WAKES = "velocity.router.wakes";
    static final String WAKE_DURATION = "velocity.router.wake.duration";
    /** The histogram buckets of {@link #HOLD_DURATION}. */
    private static final Duration[] HOLD_BUCKETS = Stream.of(10, 50, 100, 250, 500, 1_000, 2_500,
            5_000, 10_000, 30_000, 60_000, 120_000).map(Duration::ofMillis).toArray(Duration[]::new);

    /** How a RESUME's publication ended. */
    static final String PUBLISHED = "published";
    static final String FAILED = "failed";
    /** The status a hold began in when the session was not known yet. */
    static final String NOT_KNOWN_YET = "unknown";

    /** How a forward to a machine ended. */
    static final String FORWARDED = "forwarded";
    static final String UNREACHABLE = "machine_unreachable";
    static final String TOO_LARGE = "body_too_large";
    static final String UNROUTABLE = "unroutable";
    /** The session left the machine before it answered; the request was decided again or refused. */
    static final String DEPARTED = "left_machine";

    /** Outcomes decided before a session is looked at, next to the {@link RouteDecision.Outcome} tags. */
    static final String MALFORMED = "malformed";
    static final String REDIRECT = "redirect";
    static final String LOADING = "loading";
    /** A navigation to a session on its way got the starting page; the page followed its status. */
    static final String STARTING_PAGE = "starting-page";
    static final String STATUS_STREAM = "status-stream";

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

    /** @param from the status the request was held in (lower case), or {@link #NOT_KNOWN_YET} */
    void held(RouteDecision.Outcome outcome, String from, Duration waited) {
        Timer.builder(HOLD_DURATION)
                .description("how long held requests waited, by how the wait ended and the status they were held in")
                // a few buckets (not Micrometer's ~70 per tag pair), from a held asset to a cold start, for the
                // operator console's histogram
                .serviceLevelObjectives(HOLD_BUCKETS)
                .tag("outcome", outcome.tag()).tag("from", from).register(registry).record(waited);
    }

    /** A RESUME for a suspended session was published (or could not be), for a held request. */
    void wakeRequested(String outcome) {
        Counter.builder(WAKES).description("RESUME commands this router published for suspended sessions, by outcome")
                .tag("outcome", outcome).register(registry).increment();
    }

    /** A woken session became routable this long after its RESUME was published. */
    void woken(Duration took) {
        Timer.builder(WAKE_DURATION)
                .description("from publishing a suspended session's RESUME to a held request seeing it routable")
                .register(registry).record(took);
    }
}
