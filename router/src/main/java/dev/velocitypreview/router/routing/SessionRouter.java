package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.TimeoutException;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.session.SessionStatus.Routing;
import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Decides what a request for a session gets, by the session's {@link Routing}. A session on its way is
 * waited for (up to {@code maxHold}), an unknown one for a short {@code unknownGrace} because its CREATE
 * may still be in flight; no thread is blocked while a request waits.
 */
final class SessionRouter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRouter.class);

    private final SessionLookup sessions;
    private final Duration maxHold;
    private final Duration unknownGrace;
    private final RouterMetrics metrics;
    // Waits complete on the Kafka Streams thread (or the timeout thread); the rest of the request must not run there.
    private final Scheduler resumeOn = Schedulers.parallel();

    SessionRouter(SessionLookup sessions, Duration maxHold, Duration unknownGrace, RouterMetrics metrics) {
        this.sessions = Objects.requireNonNull(sessions, "sessions == null");
        this.maxHold = Objects.requireNonNull(maxHold, "maxHold == null");
        this.unknownGrace = Objects.requireNonNull(unknownGrace, "unknownGrace == null");
        this.metrics = Objects.requireNonNull(metrics, "metrics == null");
    }

    /** The decision for a request to session {@code id}; call only once the directory is ready. */
    Mono<RouteDecision> decide(UUID id) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            return sessions.lookup(id)
                    .map(view -> decide(view, started, false))
                    .orElseGet(() -> awaitAppearance(id, started));
        });
    }

    /** @param parked whether the request already waited (for the session to appear) */
    private Mono<RouteDecision> decide(SessionView view, long started, boolean parked) {
        return switch (view.status().routing()) {
            case HOLD -> hold(view, started);
            case ROUTE, GONE, BROKEN -> Mono.just(settled(RouteDecision.of(view, parked ? since(started) : Duration.ZERO)));
        };
    }

    private Mono<RouteDecision> hold(SessionView view, long started) {
        LOG.atDebug().addKeyValue("session", view.id()).addKeyValue("status", view.status()).log("holding request");
        return Mono.fromFuture(() -> sessions.await(view.id(), v -> v.status().routing() != Routing.HOLD, maxHold))
                .publishOn(resumeOn)
                .onErrorResume(TimeoutException.class, e -> Mono.just(sessions.lookup(view.id()).orElse(view)))
                // Holds only once: a view still on its way after the wait is the answer (504), not a reason to wait again.
                .map(latest -> settled(RouteDecision.of(latest, since(started))));
    }

    private Mono<RouteDecision> awaitAppearance(UUID id, long started) {
        LOG.atDebug().addKeyValue("session", id).log("waiting for unknown session to appear");
        return Mono.fromFuture(() -> sessions.await(id, v -> true, unknownGrace))
                .publishOn(resumeOn)
                .onErrorResume(TimeoutException.class, e -> Mono.justOrEmpty(sessions.lookup(id)))
                .flatMap(view -> decide(view, started, true))
                .switchIfEmpty(Mono.fromSupplier(() -> settled(RouteDecision.unknown(id, since(started)))));
    }

    private RouteDecision settled(RouteDecision decision) {
        if (!decision.waited().isZero()) {
            metrics.held(decision.outcome(), decision.waited());
            LOG.atInfo().addKeyValue("session", decision.sessionId()).addKeyValue("outcome", decision.outcome().tag())
                    .addKeyValue("status", decision.session() == null ? null : decision.session().status())
                    .addKeyValue("waitedMs", decision.waited().toMillis())
                    .log("held request decided");
        }
        return decision;
    }

    private static Duration since(long started) {
        return Duration.ofNanos(System.nanoTime() - started);
    }
}
