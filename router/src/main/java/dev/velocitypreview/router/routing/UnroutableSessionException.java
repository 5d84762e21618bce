package dev.velocitypreview.router.routing;

import java.util.UUID;

/**
 * A {@link PreviewForwarder} cannot send requests to an active session's machine because of what the session
 * directory says about it (for example a machine id of the wrong shape); nothing was written yet, and the router
 * answers 502.
 */
public final class UnroutableSessionException extends RuntimeException {

    private final UUID sessionId;

    /** @param reason what is wrong, for the client to read; must not quote the offending value */
    public UnroutableSessionException(UUID sessionId, String reason) {
        super(reason);
        this.sessionId = sessionId;
    }

    public UUID sessionId() {
        return sessionId;
    }
}
