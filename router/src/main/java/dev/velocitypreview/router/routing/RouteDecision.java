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
 * @param access  what the request's preview tokens let it do with that session; null only for {@link Outcome#UNKNOWN}
 * @param waited  how long the request was parked before the decision (zero when it was not)
 */
record RouteDecision(UUID sessionId, Outcome outcome, @Nullable SessionView session, @Nullable Access access,
                     Duration waited) {

    RouteDecision {
        Objects.requireNonNull(sessionId, "sessionId == null");
        Objects.requireNonNull(outcome, "outcome == null");
        Objects.requireNonNull(waited, "waited == null");
        if ((session == null) != (outcome == Outcome.UNKNOWN) || (access == null) != (outcome == Outcome.UNKNOWN)) {
            throw new IllegalArgumentException("a decision has a session and an access unless its outcome is UNKNOWN, got "
                    + outcome + " with " + (session == null ? "no session" : "a session")
                    + " and " + (access == null ? "no access" : access));
        }
    }

    static RouteDecision unknown(UUID sessionId, Duration waited) {
        return new RouteDecision(sessionId, Outcome.UNKNOWN, null, null, waited);
    }

    /**
     * The decision for a session the request may not go through to, or whose status no longer holds requests,
     * or whose hold ran out.
     */
    static RouteDecision of(SessionView session, Access access, Duration waited) {
        Outcome outcome = switch (access.verdict()) {
            case PUBLIC, ADMITTED -> switch (session.status().routing()) {
                case ROUTE -> Outcome.ROUTE;
                case HOLD -> Outcome.HOLD_EXPIRED;
                case GONE -> Outcome.GONE;
                case BROKEN -> Outcome.BROKEN;
            };
            case EXCHANGE -> Outcome.TOKEN_EXCHANGED;
            case MISSING, EXPIRED, INVALID -> Outcome.UNAUTHORIZED;
            case NOT_CONFIGURED -> Outcome.PRIVATE_NOT_CONFIGURED;
        };
        return new RouteDecision(session.id(), outcome, session, access, waited);
    }

    /** The access of a decision that has one; for every outcome but {@link Outcome#UNKNOWN}. */
    Access requireAccess() {
        if (access == null) {
            throw new IllegalStateException("decision " + outcome + " for session " + sessionId + " has no access");
        }
        return access;
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
        BROKEN,
        /** Private, and the request presents no valid preview token. */
        UNAUTHORIZED,
        /** Private, and a page request presents a valid token in its query: redirect, setting the cookie. */
        TOKEN_EXCHANGED,
        /** Private, and this router has no preview token secret. */
        PRIVATE_NOT_CONFIGURED;

        /** Made once: a proxied request counts its decision by it, and a lower-cased copy each time is garbage. */
        private final String tag = name().toLowerCase(Locale.ROOT).replace('_', '-');

        /** The metric tag and log value of this outcome. */
        String tag() {
            return tag;
        }
    }
}
