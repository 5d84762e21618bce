package dev.velocitypreview.router.routing;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

import org.jspecify.annotations.Nullable;

import dev.velocitypreview.core.session.SessionView;

/**
 * What the router does with one request for a session.
 *
 * @param session the view the decision was made on; null only for {@link Outcome#UNKNOWN}
 * @param waited  how long the request was parked before the decision (zero when it was not)
 */
record RouteDecision(UUID sessionId, Outcome outcome, @Nullable SessionView session, Duration waited) {

    RouteDecision {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(outcome, "outcome == null");
        Objects.requireNonNull(waited, "waited == null");
        if ((session == null) != (outcome == Outcome.UNKNOWN)) {
            throw new IllegalArgumentException("a decision has a session unless its outcome is UNKNOWN, got "
                    + outcome + " with " + (session == null ? "no session" : "a session"));
        }
    }

    static RouteDecision unknown(UUID sessionId, Duration waited) {
        return new RouteDecision(sessionId, Outcome.UNKNOWN, null, waited);
    }

    /** The decision for a session whose status no longer holds requests, or whose hold ran out. */
    static RouteDecision of(SessionView session, Duration waited) {
        Outcome outcome = switch (session.status().routing()) {
            case ROUTE -> Outcome.ROUTE;
            case HOLD -> Outcome.HOLD_EXPIRED;
            case GONE -> Outcome.GONE;
            case BROKEN -> Outcome.BROKEN;
        };
        return new RouteDecision(session.id(), outcome, session, waited);
    }

    /** The session of a decision that has one; for every outcome but {@link Outcome#UNKNOWN}. */
    SessionView requireSession() {
        if (session == null) {
            throw new IllegalStateException("decision " + outcome + " for session " + sessionId + " has no session");
        }
        return session;
    }

    enum Outcome {
        /** Forward to the machine. */
        ROUTE,
        /** The session stayed on its way (requested, provisioning, ...) for the whole hold. */
        HOLD_EXPIRED,
        /** Nothing about the session arrived within the grace for unknown ids. */
        UNKNOWN,
        /** Terminated or stopping. */
        GONE,
        /** Failed. */
        BROKEN;

        /** The metric tag and log value of this outcome. */
        String tag() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }
    }
}
