package dev.velocitypreview.core.session;

/**
 * Where a session is in its life. What each status means for a request to the
 * preview is decided here, once, through {@link #routing()}; which status may
 * follow which is decided by {@link SessionStateMachine}.
 */
public enum SessionStatus {
    REQUESTED(Routing.HOLD),
    PROVISIONING(Routing.HOLD),
    STARTING(Routing.HOLD),
    ACTIVE(Routing.ROUTE),
    SUSPENDED(Routing.HOLD),
    STOPPING(Routing.GONE),
    TERMINATED(Routing.GONE),
    FAILED(Routing.BROKEN);

    private final Routing routing;

    SessionStatus(Routing routing) {
        this.routing = routing;
    }

    /** What the router does with a request for a session in this status. */
    public Routing routing() {
        return routing;
    }

    /**
     * A request for a session in this status asks for it to be woken (a RESUME) while it is held: a suspended
     * session comes back on demand; one on its way needs nothing.
     */
    public boolean wakesOnRequest() {
        return this == SUSPENDED;
    }

    /** A terminal session never changes again. */
    public boolean isTerminal() {
        return this == TERMINATED || this == FAILED;
    }

    /** What a request for the preview gets, by status. */
    public enum Routing {
        /** Proxy (or replay) the request to the machine. */
        ROUTE,
        /** The session is on its way: hold the request until it is routable, ends, or the wait runs out. */
        HOLD,
        /** The session was terminated or is stopping: 410. */
        GONE,
        /** The session failed: 502 with its error. */
        BROKEN
    }
}
