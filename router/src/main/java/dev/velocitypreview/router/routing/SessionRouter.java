package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.velocitypreview.core.session.SessionStatus.Routing;
import dev.velocitypreview.core.session.SessionView;
import reactor.core.publisher.Mono;
import reactor.core.scheduler.Scheduler;
import reactor.core.scheduler.Schedulers;

/**
 * Decides what a request for a session gets: first whether it may go through to the session at all (its
 * {@link Access}), then by the session's {@link Routing}. A session on its way is
 * waited for (up to {@code maxHold}), an unknown one for a short {@code unknownGrace} because its CREATE
 * may still be in flight; no thread is blocked while a request waits. A suspended session is woken for the
 * request ({@link Wakes}) and waited for like one on its way.
 */
final class SessionRouter {

    private static final Logger LOG = LoggerFactory.getLogger(SessionRouter.class);

    private final SessionLookup sessions;
    private final Duration maxHold;
    private final Duration unknownGrace;
    private final RouterMetrics metrics;
    private final Wakes wakes;
    // Waits complete on the Kafka Streams thread (or the timeout thread); the rest of the request must not run there.
    private final Scheduler resumeOn = Schedulers.parallel();

    SessionRouter(SessionLookup sessions, Duration maxHold, Duration unknownGrace, RouterMetrics metrics, Wakes wakes) {
        this.sessions = Objects.requireNonNull(sessions, "sessions == null");
        this.maxHold = Objects.requireNonNull(maxHold, "maxHold == null");
        this.unknownGrace = Objects.requireNonNull(unknownGrace, "unknownGrace == null");
        this.metrics = Objects.requireNonNull(metrics, "metrics == null");
        this.wakes = Objects.requireNonNull(wakes, "wakes == null");
    }

    /**
     * The decision for a request to session {@code id}; call only once the directory is ready.
     *
     * @param gate what the request may do with the session, asked as soon as the session's view is known (at
     *             once, or once it appeared within the grace) and before any hold, so a request that may not go
     *             through is answered at once instead of holding a connection; asked again on the view a hold
     *             ended with, which is the one the request is decided on
     */
    Mono<RouteDecision> decide(UUID id, Function<SessionView, Access> gate) {
        return Mono.defer(() -> {
            long started = System.nanoTime();
            return sessions.lookup(id)
                    .map(view -> decide(view, gate, started, false))
                    .orElseGet(() -> awaitAppearance(id, gate, started));
        });
    }

    /** @param parked whether the request already waited (for the session to appear) */
    private Mono<RouteDecision> decide(SessionView view, Function<SessionView, Access> gate, long started, boolean parked) {
        Access access = gate.apply(view);
        if (access.admits() && view.status().routing() == Routing.HOLD) {
            return hold(view, gate, started);
        }
        return Mono.just(settled(RouteDecision.of(view, access, parked ? since(started) : Duration.ZERO),
                RouterMetrics.NOT_KNOWN_YET));
    }

    private Mono<RouteDecision> hold(SessionView view, Function<SessionView, Access> gate, long started) {
        LOG.atDebug().addKeyValue("session", view.id()).addKeyValue("status", view.status()).log("holding request");
        boolean wake = view.status().wakesOnRequest();
        String from = view.status().name().toLowerCase(Locale.ROOT);
        return Mono.fromFuture(() -> {
                    // the waiter first, then the RESUME: the session cannot become active unseen in between
                    CompletableFuture<SessionView> routable = sessions.await(view.id(), v -> v.status().routing() != Routing.HOLD, maxHold);
                    if (wake) {
                        wakes.requested(view);
                    }
                    return routable;
                })
                .publishOn(resumeOn)
                .onErrorResume(TimeoutException.class, e -> Mono.just(sessions.lookup(view.id()).orElse(view)))
                // Holds only once: a view still on its way after the wait is the answer (504), not a reason to wait again.
                .map(latest -> {
                    if (wake) {
                        wakes.settled(view.id(), latest);
                    }
                    return settled(RouteDecision.of(latest, gate.apply(latest), since(started)), from);
                });
    }

    private Mono<RouteDecision> awaitAppearance(UUID id, Function<SessionView, Access> gate, long started) {
        LOG.atDebug().addKeyValue("session", id).log("waiting for unknown session to appear");
        return Mono.fromFuture(() -> sessions.await(id, v -> true, unknownGrace))
                .publishOn(resumeOn)
                .onErrorResume(TimeoutException.class, e -> Mono.justOrEmpty(sessions.lookup(id)))
                .flatMap(view -> decide(view, gate, started, true))
                .switchIfEmpty(Mono.fromSupplier(() -> settled(RouteDecision.unknown(id, since(started)),
                        RouterMetrics.NOT_KNOWN_YET)));
    }

    /** @param from the status the request was held in, for the hold's metric */
    private RouteDecision settled(RouteDecision decision, String from) {
        if (!decision.waited().isZero()) {
            metrics.held(decision.outcome(), from, decision.waited());
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
